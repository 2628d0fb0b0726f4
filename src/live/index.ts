// Public API of live/ (re-exported from src/index.ts).

export type { AsyncOutcome } from './async.ts'
export { type AsyncBranches, AsyncResult } from './async-result.ts'
export type { AttributeForm } from './attributes.ts'
export {
  type ComponentResolver,
  type FunctionComponent,
  isLiveComponentCall,
  type LiveComponentCall,
  liveComponent,
  type ResolvedComponent,
  renderSlot,
  type Slot,
  type SlotEntries,
} from './component.ts'
export { each, type List, type StreamList } from './comprehension.ts'
// rendering
export { type DiffExtras, LiveRenderer, type RendererOptions } from './diff.ts'
export { escapeHtml, isRaw, type Raw, raw } from './escape.ts'
export {
  type FormErrors,
  type FormField,
  type FormIssue,
  type FormOptions,
  LiveForm,
  liveInput,
  type StandardSchema,
  toForm,
  validateForm,
} from './form.ts'
export type { HookResult, HookStage, HookStages, OnMount } from './hooks.ts'
// templates
export { html, isTemplate, type Template } from './html.ts'
export {
  JS,
  JsCommands,
  type JsDispatchOptions,
  type JsOp,
  type JsPushOptions,
  type JsShowOptions,
  type JsTarget,
  type JsToggleOptions,
  type JsTransition,
} from './js.ts'
export { LIVEVIEW_VERSION } from './live-channel.ts'
export type { ComponentAssigns, LiveComponent } from './live-component.ts'
export {
  createLive,
  defaultLayout,
  type Live,
  type LiveLayout,
  type LiveOptions,
  type LivePage,
} from './live-config.ts'
export { usedInput } from './live-event.ts'
export { type DeclareLive, type LiveSessionOptions, liveSession } from './live-route.ts'
export {
  type AsyncKeys,
  type AsyncValue,
  type EventResult,
  type EventValue,
  type LiveAssigns,
  type LiveResult,
  type LiveSessionData,
  LiveSocket,
  type LiveView,
  type Navigation,
} from './live-view.ts'
export { type LinkOptions, liveLink } from './navigation.ts'
export { type LiveRenderCall, type LiveRenderOptions, liveRender } from './nested.ts'
export { type RenderToStringOptions, renderToString } from './render-to-string.ts'
export {
  type Diff,
  type Dynamic,
  isEmptyDiff,
  type Keyed,
  type PushedEvent,
  type RenderedComponent,
  type RenderedComprehension,
  type RenderedEntry,
  type RenderedNode,
  type StreamInsertWire,
  type StreamWire,
} from './rendered.ts'
export type { LiveSnapshotOptions } from './snapshots.ts'
export { type InsertOptions, LiveStream, type StreamInsert } from './stream.ts'
export { type FileInputAttributes, liveFileInput } from './uploads/file-input.ts'
export type {
  ExternalMeta,
  ExternalUploader,
  LiveUpload,
  UploadEntry,
  UploadError,
  UploadOptions,
} from './uploads/upload-config.ts'
export {
  allowUpload,
  cancelUpload,
  consumeUploadedEntries,
  disallowUpload,
  type UploadedFile,
  uploadErrors,
  uploadedEntries,
} from './uploads/uploads.ts'
