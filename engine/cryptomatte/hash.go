// Package cryptomatte reads Cryptomatte (specification v1.2.0) from EXR
// files: the hash of object names, the cryptomattes of a part (its
// cryptomatte/<key>/... attributes and <name>NN rank layers), their
// manifests (in the header or a sidecar file), Nuke's matte-list strings,
// and over a frame's rank data the matte of a set of names and the pick
// (the ID with the highest coverage) at a pixel. It is pure Go over
// engine/exr's values.
package cryptomatte

import (
	"encoding/binary"
	"math"
	"math/bits"
)

// Hash is MurmurHash3_x86_32 of name's UTF-8 bytes with seed 0, the hash
// the specification names "MurmurHash3_32".
func Hash(name string) uint32 {
	const c1, c2 = 0xcc9e2d51, 0x1b873593
	b := []byte(name)
	var h uint32
	n := len(b) / 4 * 4
	for i := 0; i < n; i += 4 {
		k := binary.LittleEndian.Uint32(b[i:])
		k = bits.RotateLeft32(k*c1, 15) * c2
		h ^= k
		h = bits.RotateLeft32(h, 13)*5 + 0xe6546b64
	}
	var k uint32
	switch len(b) - n {
	case 3:
		k ^= uint32(b[n+2]) << 16
		fallthrough
	case 2:
		k ^= uint32(b[n+1]) << 8
		fallthrough
	case 1:
		k ^= uint32(b[n])
		h ^= bits.RotateLeft32(k*c1, 15) * c2
	}
	h ^= uint32(len(b))
	h ^= h >> 16
	h *= 0x85ebca6b
	h ^= h >> 13
	h *= 0xc2b2ae35
	h ^= h >> 16
	return h
}

// ID is the Cryptomatte ID of name as the bits of its float32: the hash,
// with bit 23 flipped where the exponent would be 0 or 255, so that no ID
// is a denormal, an infinity or a NaN (the specification's
// "uint32_to_float32" conversion). An empty name's ID is 0x00800000.
func ID(name string) uint32 {
	h := Hash(name)
	if e := h >> 23 & 0xff; e == 0 || e == 0xff {
		h ^= 1 << 23
	}
	return h
}

// Float is id as the float32 a rank channel stores.
func Float(id uint32) float32 { return math.Float32frombits(id) }
