/** Test helpers shipped as `cinder/testing`. */
export {}
