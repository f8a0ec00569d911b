package export

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/asticode/go-astiav"
)

// JoinOptions says what Join writes.
type JoinOptions struct {
	Out       string   // the joined movie
	Chunks    []string // chunk movies, in order; each with its Report at ReportPath
	Overwrite bool     // replace Out if it exists
	// Full decodes every frame of the result and of the chunks to check
	// them; otherwise only the frames on both sides of each seam.
	Full bool
}

// JoinResult says what Join did.
type JoinResult struct {
	Frames  int   // frames in the joined movie
	Bytes   int64 // its size
	Checked int   // frames decoded from it and compared with the chunks'
	// Copy is the time spent checking the chunks and copying their
	// packets, Verify the time spent reading the result back.
	Copy, Verify time.Duration
}

// chunk is one of Join's chunks.
type chunk struct {
	path   string
	report Report
	info   StreamInfo
	ticks  int64 // one frame in the time base
	start  int   // frames of the chunks before it
	keys   []int // keyframes' packet indices, in decode order
}

func (c *chunk) name() string { return filepath.Base(c.path) }

// Join puts chunk movies (flick export --frames) together into one movie
// without re-encoding. It refuses, naming the chunk, unless every chunk's
// stream (StreamInfo: codec, size, pixel format, colour tags, time base,
// frame rate, stream header bytes, decoder delay) and export settings are
// the first chunk's, each starts with a keyframe, holds the frames its
// report says and at least MinChunkFrames, and the chunks cover the shot's
// frames in order with no gap or overlap. Packets are copied with their
// timestamps moved by the frames before their chunk (not by container
// durations), into a temporary file beside Out with the index first; the
// file is then read back and checked (packet count, pts exactly one frame
// apart, dts increasing, duration, and the decoded frames on both sides
// of each seam, or all with Full, equal to the chunks' own) before it is
// renamed to Out. On any error nothing is left. The joined movie's
// timecode track, if the first chunk has one, starts at the first chunk's
// timecode.
func Join(o JoinOptions) (JoinResult, error) {
	var res JoinResult
	if len(o.Chunks) == 0 {
		return res, errors.New("join: no chunks")
	}
	if err := checkTarget(o.Out, o.Overwrite); err != nil {
		return res, fmt.Errorf("join %s: %w", o.Out, err)
	}
	installLog()
	t := time.Now()
	chunks, err := checkChunks(o.Chunks)
	if err != nil {
		return res, err
	}
	tmp, err := createTemp(o.Out)
	if err != nil {
		return res, fmt.Errorf("join %s: %w", o.Out, err)
	}
	defer os.Remove(tmp) // gone after the rename; there on failure
	if err := copyChunks(tmp, chunks); err != nil {
		return res, err
	}
	res.Copy = time.Since(t)
	t = time.Now()
	last := chunks[len(chunks)-1]
	res.Frames = last.start + last.report.Frames
	if res.Checked, err = verifyJoin(tmp, chunks, o.Full); err != nil {
		return res, fmt.Errorf("join %s: the joined movie %w", o.Out, err)
	}
	res.Verify = time.Since(t)
	if fi, err := os.Stat(tmp); err == nil {
		res.Bytes = fi.Size()
	}
	if err := commit(tmp, o.Out, o.Overwrite); err != nil {
		return res, fmt.Errorf("join %s: %w", o.Out, err)
	}
	return res, nil
}

// checkChunks reads each chunk's report and stream and checks that they
// join up.
func checkChunks(paths []string) ([]*chunk, error) {
	chunks := make([]*chunk, len(paths))
	for i, p := range paths {
		c := &chunk{path: p}
		bad := func(format string, args ...any) ([]*chunk, error) {
			return nil, fmt.Errorf("join: chunk %s: %s", p, fmt.Sprintf(format, args...))
		}
		var err error
		if c.report, err = ReadReport(ReportPath(p)); err != nil {
			return bad("report: %v", err)
		}
		m, err := openMovie(p)
		if err != nil {
			return bad("%v", err)
		}
		c.info = m.info()
		c.ticks, err = m.frameTicks()
		m.close()
		if err != nil {
			return bad("%v", err)
		}
		if c.report.Frames < MinChunkFrames {
			return bad("%d frames; a chunk needs at least %d", c.report.Frames, MinChunkFrames)
		}
		chunks[i] = c
		if i > 0 && c.report.Slate != 0 {
			return bad("has a slate of %d frames: only the first chunk may", c.report.Slate)
		}
		if i == 0 {
			if c.report.Index != 0 {
				return bad("starts at frame %d, but the shot %s starts %d frames earlier: the chunks before it are missing", c.report.First, c.report.Range, c.report.Index)
			}
			continue
		}
		first, prev := chunks[0], chunks[i-1]
		for k, f := range c.info.fields() {
			if w := first.info.fields()[k]; f[1] != w[1] {
				return bad("%s %s, but %s has %s", f[0], f[1], first.name(), w[1])
			}
		}
		switch r, w := c.report, first.report; {
		case r.Shot != w.Shot || r.Range != w.Range:
			return bad("is of %s %s, but %s is of %s %s", r.Shot, r.Range, first.name(), w.Shot, w.Range)
		case r.Settings != w.Settings:
			return bad("export settings %+v, but %s has %+v", r.Settings, first.name(), w.Settings)
		}
		switch end := prev.report.Index + prev.report.ShotFramesIn(); {
		case c.report.Index > end:
			return bad("starts at frame %d, but %s ends at frame %d: %d frames between them are in no chunk", c.report.First, prev.name(), prev.report.Last, c.report.Index-end)
		case c.report.Index < end:
			return bad("starts at frame %d, inside %s (frames %d-%d)", c.report.First, prev.name(), prev.report.First, prev.report.Last)
		}
		c.start = prev.start + prev.report.Frames
	}
	if last := chunks[len(chunks)-1]; last.report.Index+last.report.ShotFramesIn() != last.report.ShotFrames {
		return nil, fmt.Errorf("join: chunk %s: ends at frame %d, but the shot %s goes on for %d frames: the chunks after it are missing",
			last.path, last.report.Last, last.report.Range, last.report.ShotFrames-last.report.Index-last.report.ShotFramesIn())
	}
	return chunks, nil
}

// copyChunks writes the chunks' packets into a new movie at path, each
// chunk's timestamps moved by the frames before it.
func copyChunks(path string, chunks []*chunk) error {
	first := chunks[0]
	url := "file:" + path
	fc, err := astiav.AllocOutputFormatContext(nil, "mov", url)
	if err != nil {
		return fmt.Errorf("join: mov muxer: %w", err)
	}
	defer fc.Free()
	var log logLines
	log.listen(fc)
	defer forget(fc)
	wrap := func(what string, err error) error {
		if lines := log.take(); lines != "" {
			return fmt.Errorf("join: %s: %w (ffmpeg: %s)", what, err, lines)
		}
		return fmt.Errorf("join: %s: %w", what, err)
	}
	in, err := openMovie(first.path)
	if err != nil {
		return fmt.Errorf("join: chunk %s: %w", first.path, err)
	}
	st := fc.NewStream(nil)
	if st == nil {
		in.close()
		return errors.New("join: cannot add a stream")
	}
	err = in.st.CodecParameters().Copy(st.CodecParameters())
	tb := in.st.TimeBase()
	st.SetTimeBase(tb)
	st.SetAvgFrameRate(in.st.AvgFrameRate())
	st.SetRFrameRate(in.st.RFrameRate())
	if tc, ok := in.timecode(); ok && err == nil {
		// The joined movie starts where the first chunk does.
		err = setTimecode(st, tc)
	}
	in.close()
	if err != nil {
		return wrap("stream parameters", err)
	}
	pb, err := astiav.OpenIOContext(url, astiav.NewIOContextFlags(astiav.IOContextFlagWrite))
	if err != nil {
		return wrap("open "+path, err)
	}
	defer func() {
		if pb != nil {
			pb.Close()
		}
	}()
	fc.SetPb(pb)
	opts := astiav.NewDictionary()
	defer opts.Free()
	if err := setMovieOptions(opts, true, tb.Den()); err != nil {
		return wrap("movie options", err)
	}
	if err := fc.WriteHeader(opts); err != nil {
		return wrap("write header", err)
	}
	if st.TimeBase() != tb {
		return fmt.Errorf("join: the muxer chose time base %d/%d, not the chunks' %d/%d", st.TimeBase().Num(), st.TimeBase().Den(), tb.Num(), tb.Den())
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for _, c := range chunks {
		if err := c.copy(fc, pkt, st.Index()); err != nil {
			return wrap(fmt.Sprintf("chunk %s", c.path), err)
		}
	}
	if err := fc.WriteTrailer(); err != nil {
		return wrap("finish movie", err)
	}
	err = pb.Close()
	pb = nil
	if err != nil {
		return wrap("close", err)
	}
	return nil
}

// copy writes c's packets to fc's stream index, moved by c.start frames,
// and records c's keyframes. Its packet count must be its report's frames
// and its first packet a keyframe.
func (c *chunk) copy(fc *astiav.FormatContext, pkt *astiav.Packet, index int) error {
	m, err := openMovie(c.path)
	if err != nil {
		return err
	}
	defer m.close()
	shift := int64(c.start) * c.ticks
	n := 0
	for {
		err := m.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			return fmt.Errorf("packet %d: %w (truncated?)", n, err)
		}
		if pkt.StreamIndex() != m.st.Index() {
			pkt.Unref()
			continue
		}
		switch {
		case pkt.Flags().Has(astiav.PacketFlagCorrupt):
			pkt.Unref()
			return fmt.Errorf("packet %d is damaged (truncated?)", n)
		case pkt.Flags().Has(astiav.PacketFlagKey):
			c.keys = append(c.keys, n)
		case n == 0:
			pkt.Unref()
			return errors.New("does not start with a keyframe")
		}
		pkt.SetPts(pkt.Pts() + shift)
		pkt.SetDts(pkt.Dts() + shift)
		pkt.SetPos(-1)
		pkt.SetStreamIndex(index)
		if err := fc.WriteFrame(pkt); err != nil {
			return fmt.Errorf("write packet %d: %w", n, err)
		}
		n++
	}
	if n != c.report.Frames {
		return fmt.Errorf("%d frames, but its report says %d (truncated?)", n, c.report.Frames)
	}
	return nil
}

// span is a run of packets [from, to) in decode order.
type span struct{ from, to int }

// verifyJoin reads the joined movie at path back and checks it against the
// chunks; it returns the frames it decoded and compared.
func verifyJoin(path string, chunks []*chunk, full bool) (int, error) {
	m, err := openMovie(path)
	if err != nil {
		return 0, err
	}
	defer m.close()
	first, last := chunks[0], chunks[len(chunks)-1]
	total := last.start + last.report.Frames
	if got := m.info(); got != first.info {
		for k, f := range got.fields() {
			if w := first.info.fields()[k]; f[1] != w[1] {
				return 0, fmt.Errorf("has %s %s, but the chunks have %s", f[0], f[1], w[1])
			}
		}
	}
	d := first.ticks
	var pts []int64
	prevDts := int64(0)
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	for {
		err := m.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			break
		}
		if err != nil {
			return 0, fmt.Errorf("cannot be read back: %w", err)
		}
		if pkt.StreamIndex() == m.st.Index() {
			if len(pts) > 0 && pkt.Dts() <= prevDts {
				return 0, fmt.Errorf("has dts %d after %d at packet %d: not increasing", pkt.Dts(), prevDts, len(pts))
			}
			prevDts = pkt.Dts()
			pts = append(pts, pkt.Pts())
		}
		pkt.Unref()
	}
	if len(pts) != total {
		return 0, fmt.Errorf("has %d packets, the chunks %d frames", len(pts), total)
	}
	slices.Sort(pts)
	for i, p := range pts {
		if p != int64(i)*d {
			return 0, fmt.Errorf("shows its frame %d at pts %d, not %d (%d ticks a frame)", i, p, int64(i)*d, d)
		}
	}
	if got, want := m.st.Duration(), int64(total)*d; got != want {
		return 0, fmt.Errorf("lasts %d ticks, not %d frames of %d", got, total, d)
	}
	return compareSeams(path, chunks, full)
}

// compareSeams decodes the joined movie's frames on both sides of each
// seam (full: all of them) and the same frames from the chunks, and
// checks that they are equal. It returns the frames compared.
func compareSeams(path string, chunks []*chunk, full bool) (int, error) {
	// side frames each side of a seam: past the decoder's delay.
	side := chunks[0].info.DecoderDelay + 2
	want := map[int][32]byte{} // frame of the joined movie: its pixels' hash
	var joined []span
	for i, c := range chunks {
		n := c.report.Frames
		var local []span
		if full {
			local = []span{{0, n}}
		} else {
			if i > 0 {
				local = append(local, c.span(0, min(side, n)))
			}
			if i < len(chunks)-1 {
				local = append(local, c.span(max(0, n-side), n))
			}
		}
		local = merge(local)
		err := decodeSpans(c.path, local, func(pts int64, sum [32]byte) {
			want[c.start+int(pts/c.ticks)] = sum
		})
		if err != nil {
			return 0, fmt.Errorf("does not decode as its chunk %s: %w", c.path, err)
		}
		for _, s := range local {
			joined = append(joined, span{c.start + s.from, c.start + s.to})
		}
	}
	// A seam's two sides decode in one go, across the seam.
	joined = merge(joined)
	ticks := chunks[0].ticks
	seen := 0
	var mismatch error
	err := decodeSpans(path, joined, func(pts int64, sum [32]byte) {
		f := int(pts / ticks)
		w, ok := want[f]
		if !ok {
			return // a frame decoded on the way to the ones compared
		}
		seen++
		if w != sum && mismatch == nil {
			c := chunks[0]
			for _, k := range chunks {
				if f >= k.start {
					c = k
				}
			}
			mismatch = fmt.Errorf("decodes its frame %d unlike frame %d of chunk %s", f, f-c.start, c.path)
		}
	})
	switch {
	case err != nil:
		return seen, fmt.Errorf("does not decode: %w", err)
	case mismatch != nil:
		return seen, mismatch
	case seen != len(want):
		return seen, fmt.Errorf("decodes %d of the %d frames compared with the chunks", seen, len(want))
	}
	return seen, nil
}

// span is the packets that decode frames [a, b) of c (in display order)
// with nothing before or after: from the last keyframe at or before a
// (closed GOPs: a keyframe's packet index is its display index) to the
// first keyframe at or after b.
func (c *chunk) span(a, b int) span {
	s := span{0, c.report.Frames}
	for _, k := range c.keys {
		if k <= a {
			s.from = k
		}
		if k >= b {
			s.to = k
			break
		}
	}
	return s
}

// merge sorts spans and joins those that overlap or touch.
func merge(spans []span) []span {
	slices.SortFunc(spans, func(a, b span) int { return a.from - b.from })
	var out []span
	for _, s := range spans {
		if n := len(out); n > 0 && s.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, s.to)
			continue
		}
		out = append(out, s)
	}
	return out
}

// decodeSpans decodes the packets of each span (sorted, apart) of the
// movie at path with a fresh decoder, flushed at the span's end, and calls
// fn with each frame's pts and the SHA-256 of its pixels.
func decodeSpans(path string, spans []span, fn func(pts int64, sum [32]byte)) error {
	if len(spans) == 0 {
		return nil
	}
	m, err := openMovie(path)
	if err != nil {
		return err
	}
	defer m.close()
	codec := astiav.FindDecoder(m.st.CodecParameters().CodecID())
	if codec == nil {
		return fmt.Errorf("no %s decoder", m.st.CodecParameters().CodecID().Name())
	}
	pkt := astiav.AllocPacket()
	defer pkt.Free()
	fr := astiav.AllocFrame()
	defer fr.Free()
	var dc *astiav.CodecContext
	defer func() {
		if dc != nil {
			dc.Free()
		}
	}()
	receive := func() error {
		for {
			err := dc.ReceiveFrame(fr)
			if errors.Is(err, astiav.ErrEagain) || errors.Is(err, astiav.ErrEof) {
				return nil
			}
			if err != nil {
				return err
			}
			b, err := fr.Data().Bytes(1)
			if err != nil {
				return err
			}
			fn(fr.Pts(), sha256.Sum256(b))
			fr.Unref()
		}
	}
	n, s := 0, 0 // packet, span
	for s < len(spans) {
		err := m.fc.ReadFrame(pkt)
		if errors.Is(err, astiav.ErrEof) {
			return fmt.Errorf("ends at packet %d, before packet %d", n, spans[s].to)
		}
		if err != nil {
			return err
		}
		if pkt.StreamIndex() != m.st.Index() {
			pkt.Unref()
			continue
		}
		if n == spans[s].from {
			if dc = astiav.AllocCodecContext(codec); dc == nil {
				return errors.New("cannot allocate a decoder")
			}
			if err := m.st.CodecParameters().ToCodecContext(dc); err != nil {
				return err
			}
			dc.SetTimeBase(m.st.TimeBase())
			if err := dc.Open(codec, nil); err != nil {
				return err
			}
		}
		if n >= spans[s].from {
			err = dc.SendPacket(pkt)
			if err == nil {
				err = receive()
			}
		}
		pkt.Unref()
		if err != nil {
			return fmt.Errorf("packet %d: %w", n, err)
		}
		n++
		if n == spans[s].to {
			if err := dc.SendPacket(nil); err != nil {
				return err
			}
			if err := receive(); err != nil {
				return fmt.Errorf("packet %d: %w", n, err)
			}
			dc.Free()
			dc = nil
			s++
		}
	}
	return nil
}
