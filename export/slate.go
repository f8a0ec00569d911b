package export

// MaxSlateFrames bounds a slate's length (ten seconds at 24 fps).
const MaxSlateFrames = 240
