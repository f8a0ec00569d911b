package exporttest

// #cgo pkg-config: libavutil
// #include <libavutil/frame.h>
// #include <libavutil/pixdesc.h>
import "C"

import "github.com/asticode/go-astiav"

// go-astiav v0.16.0 has no names for colour tags; these are FFmpeg's
// (ffprobe's): "bt709", "tv", "center" ...

func primariesName(v astiav.ColorPrimaries) string {
	return name(C.av_color_primaries_name(C.enum_AVColorPrimaries(v)))
}

func transferName(v astiav.ColorTransferCharacteristic) string {
	return name(C.av_color_transfer_name(C.enum_AVColorTransferCharacteristic(v)))
}

func spaceName(v astiav.ColorSpace) string {
	return name(C.av_color_space_name(C.enum_AVColorSpace(v)))
}

func rangeName(v astiav.ColorRange) string {
	return name(C.av_color_range_name(C.enum_AVColorRange(v)))
}

func chromaLocationName(v astiav.ChromaLocation) string {
	return name(C.av_chroma_location_name(C.enum_AVChromaLocation(v)))
}

func name(s *C.char) string {
	if s == nil {
		return "unknown"
	}
	return C.GoString(s)
}

// frameTags returns f's colour tags (go-astiav v0.16.0 has getters for the
// range only): primaries, transfer, matrix, range.
func frameTags(f *astiav.Frame) [4]string {
	c := (*C.AVFrame)(f.UnsafePointer())
	return [4]string{
		name(C.av_color_primaries_name(c.color_primaries)),
		name(C.av_color_transfer_name(c.color_trc)),
		name(C.av_color_space_name(c.colorspace)),
		name(C.av_color_range_name(c.color_range)),
	}
}
