// Package exr reads and writes OpenEXR images through OpenEXR 3.1's C API
// (libOpenEXRCore, cgo) and its C++ API (libOpenEXR, imf.cpp).
//
// It describes every part of a file (File.Parts: windows, channels grouped
// into layers and views, tile levels, every attribute), and decodes any
// part and level (Selection), scanline or tiled, into interleaved RGBA half
// floats, decoding only the channels asked for, whole (Decode) or by chunk
// ranges from several goroutines at once (DecodeChunks), or at the file's
// own precision as float32 (DecodeFloat). Requests go to
// Core's decode pipeline, with flick's own decompress and unpack steps
// (libdeflate for ZIP, ZIPS and PXR24; piz.c, b44.c, dwa.c), unless only
// the C++ API, with a reader per concurrent decode, reads them right:
// luminance/chroma, subsampled channels, rip-map levels above the first
// row, tiled DWA that dwa.c does not take (route.go). Core is not safe
// on crafted files by itself: the package checks every size and chunk the
// file declares before either library allocates or writes by it, and
// refuses what it cannot decode safely (deep data, unusual sampling) with
// ErrUnsupported.
package exr

import "fmt"

// Box is an inclusive integer rectangle, as EXR stores windows.
type Box struct {
	MinX int `json:"min_x"`
	MinY int `json:"min_y"`
	MaxX int `json:"max_x"`
	MaxY int `json:"max_y"`
}

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

// MarshalText writes the type's name, for JSON.
func (t PixelType) MarshalText() ([]byte, error) { return []byte(t.String()), nil }

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

// MarshalText writes the method's name, for JSON.
func (c Compression) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

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

// MarshalText writes the storage kind's name, for JSON.
func (s Storage) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// Channel describes one channel of a part.
type Channel struct {
	Name      string    `json:"name"`
	Type      PixelType `json:"type"`
	XSampling int       `json:"x_sampling"`
	YSampling int       `json:"y_sampling"`
}

// Header describes part 0 of a file; Parts tells how many parts there are.
type Header struct {
	Parts         int         `json:"parts"`
	Channels      []Channel   `json:"channels"` // in file order (alphabetical)
	DataWindow    Box         `json:"data_window"`
	DisplayWindow Box         `json:"display_window"`
	PixelAspect   float32     `json:"pixel_aspect"`
	Compression   Compression `json:"compression"`
	Storage       Storage     `json:"storage"`
	TileWidth     int         `json:"tile_width,omitempty"` // 0 for scanline parts
	TileHeight    int         `json:"tile_height,omitempty"`
}
