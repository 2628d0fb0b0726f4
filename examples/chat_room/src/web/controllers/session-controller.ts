/**
 * Signing in and out, over plain HTTP (a LiveView cannot set cookies): `POST /session` keeps
 * the user in the signed session cookie, `POST /signout` clears it. Both come from forms with
 * the session's CSRF token, checked by the `browser` pipeline.
 */
import { type Conn, clearSession, configureSession, putFlash, putSession, redirect } from 'cinder'
import { signIn } from '../../chat/model.ts'

export const sessionController = {
  create(conn: Conn): Conn {
    const signedIn = signIn(conn.bodyParams.name)
    if (!signedIn.ok) return redirect(putFlash(conn, 'error', signedIn.message), '/')
    // A new session id on sign-in, so a session planted before it cannot be taken over.
    configureSession(conn, { renew: true })
    return redirect(putSession(conn, 'user', { ...signedIn.value }), '/')
  },

  delete(conn: Conn): Conn {
    return redirect(clearSession(conn), '/')
  },
}
