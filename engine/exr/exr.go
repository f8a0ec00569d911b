// Package exr reads and writes OpenEXR images through OpenEXR's C API
// (libOpenEXRCore 3.1, cgo).
//
// It reads part 0 of a file, level 0, scanline or tiled, into interleaved
// RGBA half floats, decoding only the channels asked for. The C API is not
// safe on crafted files by itself: the package checks every size and chunk
// the file declares before the library allocates or writes by it, and
// refuses what it cannot decode safely (deep data, unusual sampling) with
// ErrUnsupported.
package exr

import "fmt"

// Box is an inclusive integer rectangle, as EXR stores windows.
type Box struct{ MinX, MinY, MaxX, MaxY int }

// Width returns MaxX-MinX+1.
func (b Box) Width() int { return b.MaxX - b.MinX + 1 }

// Height returns MaxY-MinY+1.
func (b Box) Height() int { return b.MaxY - b.MinY + 1 }

// PixelType is a channel's sample type; the values are the library's.
type PixelType int

// Pixel types.
const (
	UInt PixelType = iota
	Half
	Float
)

func (t PixelType) String() string {
	switch t {
	case UInt:
		return "uint"
	case Half:
		return "half"
	case Float:
		return "float"
	}
	return fmt.Sprintf("PixelType(%d)", int(t))
}

// Compression is a part's compression method; the values are the library's.
type Compression int

// Compression methods.
const (
	None Compression = iota
	RLE
	ZIPS
	ZIP
	PIZ
	PXR24
	B44
	B44A
	DWAA
	DWAB
)

var compressionNames = [...]string{"none", "rle", "zips", "zip", "piz", "pxr24", "b44", "b44a", "dwaa", "dwab"}

func (c Compression) String() string {
	if c >= 0 && int(c) < len(compressionNames) {
		return compressionNames[c]
	}
	return fmt.Sprintf("Compression(%d)", int(c))
}

// Storage is how a part lays out its pixels; the values are the library's.
type Storage int

// Storage kinds.
const (
	Scanline Storage = iota
	Tiled
	DeepScanline
	DeepTiled
)

func (s Storage) String() string {
	switch s {
	case Scanline:
		return "scanline"
	case Tiled:
		return "tiled"
	case DeepScanline:
		return "deep scanline"
	case DeepTiled:
		return "deep tiled"
	}
	return fmt.Sprintf("Storage(%d)", int(s))
}

// Channel describes one channel of a part.
type Channel struct {
	Name                 string
	Type                 PixelType
	XSampling, YSampling int
}

// Header describes part 0 of a file; Parts tells how many parts there are.
type Header struct {
	Parts                 int
	Channels              []Channel // in file order (alphabetical)
	DataWindow            Box
	DisplayWindow         Box
	PixelAspect           float32
	Compression           Compression
	Storage               Storage
	TileWidth, TileHeight int // 0 for scanline parts
}
