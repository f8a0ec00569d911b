package ui

import (
	"fmt"
	"image"
	"math"
	"slices"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/engine"
	"flick/engine/cryptomatte"
	"flick/engine/exr"
	"flick/render"
)

// Matte mode (the m key): a click on the picture picks the Cryptomatte
// object under the cursor, Shift+click adds one, Ctrl+click removes one;
// the selection's matte is drawn over the picture by render.MatteOverlay
// (outside it the picture is dimmed to matteDim), per frame from that
// frame's own ranks and manifest. Decoding, picking and filling the
// overlay image happen on a goroutine of its own (matteWorker), never on
// the UI goroutine or the decode pool's.

// matteDim is how much of the picture shows outside the matte.
const matteDim = 0.3

// matteFrames bounds the frames whose decoded ranks the worker keeps (a
// 1080p frame's six ranks take about 100 MB).
const matteFrames = 3

// matteKey is what an overlay image depends on: the frame's file, the
// cryptomatte, the selection (as its matte list) and the view. show is
// false when only the frame's list of cryptomattes is wanted (the panel
// shown, matte mode off).
type matteKey struct {
	path        string
	frame       int
	layer       string // "": the default (crypto_object, else the first usable)
	list        string
	falseColour bool
	show        bool
}

// matteJob asks the worker for key's list and overlay image, or, with
// pick set, for the entry of the object at pixel at.
type matteJob struct {
	key     matteKey
	entries []string
	pick    bool
	at      image.Point
	op      mods // 0: the pick becomes the selection; shift: added; ctrl: removed
}

// matteResult is the worker's answer to a job.
type matteResult struct {
	job    matteJob
	list   []cryptomatte.Cryptomatte // the frame's cryptomattes
	layer  string                    // the one used
	img    *image.RGBA               // the overlay (nil without show, or on error)
	window exr.Box                   // the pixels img covers
	entry  string                    // a pick's object ("" where none covers the pixel)
	err    error
}

// matteView is the viewer's matte mode: GL goroutine state, the worker's
// channels and the overlay pass.
type matteView struct {
	on          bool
	falseColour bool
	layer       string
	entries     []string // the selection, as matte-list entries
	list        []cryptomatte.Cryptomatte
	listed      bool        // list is a frame's (not the nothing before the first answer)
	img         *image.RGBA // the overlay drawn
	window      exr.Box
	have        matteKey // what img shows
	want        matteKey // the last job sent
	err         error
	picks       int // picks answered (the hooks)
	copies      int // selections copied to the clipboard (the hooks)
	overlay     render.MatteOverlay
	seq         *engine.Sequence // the sequence layer and list are of

	pressed   bool
	press     imgui.Vec2
	pressMods mods
	region    image.Rectangle // the inspected region when the press began

	jobs  chan matteJob // capacity 1: the job waiting (latest wins)
	pickq chan matteJob // capacity 8: clicks are never dropped while it has room
	done  chan matteResult
	free  chan *image.RGBA // overlay images to reuse
}

// start starts the worker.
func (m *matteView) start() {
	m.jobs, m.pickq, m.done, m.free = make(chan matteJob, 1), make(chan matteJob, 8), make(chan matteResult, 16), make(chan *image.RGBA, 3)
	w := &matteWorker{free: m.free}
	go w.run(m.jobs, m.pickq, m.done)
}

// stop ends the worker once it has finished its job; nothing waits for it
// (it holds no GL object; a decode on a stalled drive is left behind).
func (m *matteView) stop() {
	if m.jobs != nil {
		close(m.jobs)
		m.jobs = nil
	}
}

// toggleMatte turns matte mode on or off (the m key).
func (a *app) toggleMatte() {
	a.matte.on, a.dirty = !a.matte.on, true
	if a.matte.on {
		a.panels["cryptomatte"] = true
	}
}

// copyMatte puts the selection on the clipboard as Nuke's matte list.
func (a *app) copyMatte() {
	if len(a.matte.entries) == 0 {
		return
	}
	imgui.SetClipboardText(cryptomatte.FormatList(a.matte.entries))
	a.matte.copies++
	a.log.add(levelInfo, "copied the matte list "+cryptomatte.FormatList(a.matte.entries))
}

// pasteMatte makes the clipboard's matte list the selection.
func (a *app) pasteMatte() {
	entries, err := cryptomatte.ParseList(imgui.ClipboardText())
	if err != nil {
		a.log.add(levelWarning, "paste: "+err.Error())
		return
	}
	a.matte.entries = entries
}

// matteTick takes the worker's answers and asks for the frame on screen's
// list and overlay when they would differ. Once per UI frame.
func (a *app) matteTick() {
	m := &a.matte
	if m.jobs == nil {
		return
	}
	for {
		select {
		case r := <-m.done:
			a.matteResult(r)
			continue
		default:
		}
		break
	}
	if m.seq != a.src().seq { // another sequence: its own cryptomattes; the selection stays
		m.seq, m.layer, m.list, m.listed, m.err = a.src().seq, "", nil, false, nil
		m.recycle(m.img)
		m.img, m.have, a.dirty = nil, matteKey{}, true
	}
	f := a.src().frame
	if f == nil || f.Err != nil || (!m.on && !a.panels["cryptomatte"]) {
		return
	}
	key := matteKey{path: a.src().seq.Path(f.Number), frame: f.Number, layer: m.layer, list: cryptomatte.FormatList(m.entries),
		falseColour: m.falseColour, show: m.on}
	if key == m.want {
		return
	}
	select {
	case <-m.jobs: // replaced by this one
	default:
	}
	m.want = key
	m.jobs <- matteJob{key: key, entries: slices.Clone(m.entries)}
}

// matteResult takes one answer of the worker.
func (a *app) matteResult(r matteResult) {
	m := &a.matte
	if r.job.pick {
		m.picks++
		if r.err != nil {
			a.log.add(levelWarning, "pick: "+r.err.Error())
			return
		}
		i := slices.Index(m.entries, r.entry)
		switch {
		case r.job.op == shift && r.entry != "" && i < 0:
			m.entries = append(m.entries, r.entry)
		case r.job.op == ctrl && i >= 0:
			m.entries = slices.Delete(m.entries, i, i+1)
		case r.job.op == 0 && r.entry != "":
			m.entries = append(m.entries[:0], r.entry)
		case r.job.op == 0:
			m.entries = m.entries[:0] // a click where no object is clears
		}
		return
	}
	if r.job.key != m.want {
		m.recycle(r.img)
		return
	}
	m.list, m.err, m.listed = r.list, r.err, true
	if m.layer == "" && r.layer != "" {
		m.layer = r.layer
		m.want.layer = r.layer // what this answer was for: no second job
	}
	if r.img != nil {
		m.recycle(m.img)
		m.img, m.window, m.have, a.dirty = r.img, r.window, r.job.key, true
		m.have.layer = m.layer
	}
}

// recycle gives an overlay image back to the worker.
func (m *matteView) recycle(img *image.RGBA) {
	if img == nil {
		return
	}
	m.overlay.Forget() // its pixels will change
	select {
	case m.free <- img:
	default:
	}
}

// matteClick handles a click on the picture in matte mode (the viewport's
// button is the last item): a press and release with the pointer not moved
// picks; a drag pans (or, with Shift, chooses the inspected region, which
// a Shift+click leaves as it was).
func (a *app) matteClick(f *engine.Frame, scale imgui.Vec2) {
	m := &a.matte
	if !m.on {
		m.pressed = false
		return
	}
	io := imgui.CurrentIO()
	if imgui.IsItemActivated() && imgui.IsMouseClickedBool(imgui.MouseButtonLeft) {
		m.pressed, m.press, m.region, m.pressMods = true, imgui.MousePos(), a.insp.region, 0
		if io.KeyShift() {
			m.pressMods = shift
		} else if io.KeyCtrl() {
			m.pressMods = ctrl
		}
	}
	if !m.pressed || !imgui.IsItemDeactivated() {
		return
	}
	m.pressed = false
	if imgui.MousePos() != m.press {
		return
	}
	if m.pressMods == shift {
		a.insp.region, a.insp.dragging = m.region, false
	}
	origin := imgui.ItemRectMin()
	p := a.camera.ImagePixel((m.press.X-origin.X)*scale.X, (m.press.Y-origin.Y)*scale.Y, f.DisplayWindow)
	job := matteJob{key: matteKey{path: a.src().seq.Path(f.Number), frame: f.Number, layer: m.layer}, pick: true, at: p, op: m.pressMods}
	select {
	case m.pickq <- job:
	default:
		a.log.add(levelWarning, "matte: clicks are coming faster than they are picked; one was dropped")
	}
}

// drawMatte draws the overlay over the picture in the target, in matte
// mode. Its image may be the previous frame's for the few UI frames its
// own takes to come.
func (a *app) drawMatte(f *engine.Frame) {
	m := &a.matte
	if !m.on || m.img == nil || m.have.path == "" {
		return
	}
	w := m.window
	r := a.camera.View(f.DisplayWindow, image.Rect(w.MinX, w.MinY, w.MaxX+1, w.MaxY+1)).Data
	if err := m.overlay.Draw(&a.target, r, m.img); err != nil {
		a.log.add(levelWarning, "matte: "+err.Error())
	}
}

// mattePanel lists the frame's cryptomattes (choosing one), the selection
// and the clipboard's buttons.
func (a *app) mattePanel() {
	m := &a.matte
	if imgui.Checkbox("matte mode (m)", &m.on) {
		a.dirty = true
	}
	imgui.SameLine()
	if imgui.Checkbox("false colour of all IDs (Shift+M)", &m.falseColour) {
		a.dirty = true
	}
	imgui.TextDisabled("click: pick   Shift+click: add   Ctrl+click: remove   Ctrl+C / Ctrl+V: copy / paste")
	switch {
	case !m.listed:
		imgui.TextUnformatted("reading the frame's cryptomattes…")
	case len(m.list) == 0 && m.err == nil:
		imgui.TextUnformatted("this frame has no cryptomatte")
	}
	for _, c := range m.list {
		label := fmt.Sprintf("%s (part %d, %d ranks, %d names)", c.Name, c.Part, len(c.Ranks), c.Names)
		if c.Error != "" {
			imgui.BeginDisabled()
			imgui.SelectableBool(label + "##" + c.Name)
			imgui.EndDisabled()
			imgui.TextWrapped("refused: " + c.Error)
			continue
		}
		if imgui.SelectableBoolV(label+"##"+c.Name, c.Name == m.layer, 0, imgui.NewVec2(0, 0)) {
			m.layer = c.Name
		}
	}
	if m.err != nil {
		imgui.TextWrapped("error: " + m.err.Error())
	}
	imgui.Separator()
	if imgui.Button("copy") {
		a.copyMatte()
	}
	imgui.SameLine()
	if imgui.Button("paste") {
		a.pasteMatte()
	}
	imgui.SameLine()
	if imgui.Button("clear") {
		m.entries = m.entries[:0]
	}
	if m.img != nil && m.on {
		imgui.SameLine()
		imgui.TextDisabled(fmt.Sprintf("matte of frame %d", m.have.frame))
	}
	for _, e := range m.entries {
		imgui.TextUnformatted(e)
	}
}

// matteHook is matte mode in the title for the end-to-end tests: on or
// off, the frame the overlay shows (-1: none) and the selection it shows,
// the layer, the picks answered, the copies made and the selection as a
// matte list.
func (a *app) matteHook() string {
	m := &a.matte
	state, frame := "off", -1
	if m.on {
		state = "on"
	}
	if m.img != nil {
		frame = m.have.frame
	}
	return fmt.Sprintf(" — matte %s frame %d shows [%s] layer %s picks %d copies %d selection [%s]", state, frame,
		m.have.list, m.layer, m.picks, m.copies, cryptomatte.FormatList(m.entries))
}

// matteWorker decodes, picks and fills overlay images on its own
// goroutine, keeping the last matteFrames frames' lists and decoded ranks.
type matteWorker struct {
	free   chan *image.RGBA
	frames []*matteFrame // most recently used first
	matte  []float32     // Frame.Matte's buffer, reused
}

// matteFrame is one frame file's cryptomattes and the ranks decoded.
type matteFrame struct {
	path  string
	list  []cryptomatte.Cryptomatte
	ranks map[string]*cryptomatte.Frame
	err   error
}

// run serves picks before overlays until jobs is closed.
func (w *matteWorker) run(jobs, picks <-chan matteJob, done chan<- matteResult) {
	for {
		var j matteJob
		select {
		case j = <-picks:
		default:
			var ok bool
			select {
			case j = <-picks:
			case j, ok = <-jobs:
				if !ok {
					return
				}
			}
		}
		done <- w.do(j)
	}
}

// do answers one job.
func (w *matteWorker) do(j matteJob) matteResult {
	r := matteResult{job: j}
	fr := w.frame(j.key.path)
	r.list = fr.list
	if fr.err != nil {
		r.err = fr.err
		return r
	}
	c := chooseCryptomatte(fr.list, j.key.layer)
	switch {
	case c == nil && j.key.layer != "":
		r.err = fmt.Errorf("frame %d has no cryptomatte %q", j.key.frame, j.key.layer)
		return r
	case c == nil && len(fr.list) > 0: // every one refused: say why
		r.err = fr.list[0].Err()
		return r
	case c == nil:
		return r
	}
	r.layer = c.Name
	if !j.pick && !j.key.show {
		return r
	}
	ranks, err := w.ranks(fr, c)
	if err != nil {
		r.err = err
		return r
	}
	if j.pick {
		if id, _, ok := ranks.Pick(j.at.X, j.at.Y); ok {
			r.entry = cryptomatte.ListEntry(c.Manifest, id)
		}
		return r
	}
	ids, _ := c.IDs(j.entries)
	r.img, r.window = w.overlay(ranks, ids, j.key.falseColour), ranks.Window
	return r
}

// chooseCryptomatte is the cryptomatte named layer in list or, with layer
// "", crypto_object when it is usable, else the first usable one; nil if
// none fits.
func chooseCryptomatte(list []cryptomatte.Cryptomatte, layer string) *cryptomatte.Cryptomatte {
	var first *cryptomatte.Cryptomatte
	for i := range list {
		c := &list[i]
		switch {
		case layer != "":
			if c.Name == layer {
				return c
			}
		case c.Error != "":
		case c.Name == "crypto_object":
			return c
		case first == nil:
			first = c
		}
	}
	return first
}

// frame returns path's cryptomattes, from the kept frames or read now.
func (w *matteWorker) frame(path string) *matteFrame {
	for i, fr := range w.frames {
		if fr.path == path {
			copy(w.frames[1:i+1], w.frames[:i])
			w.frames[0] = fr
			return fr
		}
	}
	fr := &matteFrame{path: path, ranks: map[string]*cryptomatte.Frame{}}
	f, err := exr.Open(path)
	if err == nil {
		fr.list, fr.err = cryptomatte.List(f)
		f.Close()
	} else {
		fr.err = err
	}
	if len(w.frames) == matteFrames {
		w.frames = w.frames[:matteFrames-1] // the least recently used goes
	}
	w.frames = slices.Insert(w.frames, 0, fr)
	return fr
}

// ranks returns c's decoded ranks in fr, decoding them the first time.
// A cryptomatte that Detect refused (IDs stored as HALF...) is never
// decoded: Decode returns its error.
func (w *matteWorker) ranks(fr *matteFrame, c *cryptomatte.Cryptomatte) (*cryptomatte.Frame, error) {
	if rf, ok := fr.ranks[c.Name]; ok {
		return rf, nil
	}
	if err := c.Err(); err != nil {
		return nil, err
	}
	f, err := exr.Open(fr.path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rf, err := cryptomatte.Decode(f, c)
	if err != nil {
		return nil, err
	}
	fr.ranks[c.Name] = rf
	return rf, nil
}

// overlay fills an overlay image (premultiplied RGBA, rows top first) for
// ranks: black over the picture where it is dimmed, matteDim showing
// outside the matte of ids (nothing dimmed with no ids); with falseColour
// each pixel opaque in its picked ID's colour, dimmed likewise.
func (w *matteWorker) overlay(ranks *cryptomatte.Frame, ids []uint32, falseColour bool) *image.RGBA {
	win := ranks.Window
	rect := image.Rect(0, 0, win.Width(), win.Height())
	var img *image.RGBA
	select {
	case img = <-w.free:
		if img.Rect != rect {
			img = nil
		}
	default:
	}
	if img == nil {
		img = image.NewRGBA(rect)
	}
	w.matte = ranks.Matte(w.matte, ids)
	for i, cov := range w.matte {
		lit := float32(1)
		if len(ids) > 0 {
			lit = matteDim + (1-matteDim)*min(max(cov, 0), 1)
		}
		px := img.Pix[4*i : 4*i+4 : 4*i+4]
		if !falseColour {
			px[0], px[1], px[2], px[3] = 0, 0, 0, uint8(math.Round(float64(255*(1-lit))))
			continue
		}
		var c [3]uint8
		if id, _, ok := ranks.Pick(win.MinX+i%win.Width(), win.MinY+i/win.Width()); ok {
			c = idColour(id)
		}
		for k := range c {
			px[k] = uint8(math.Round(float64(float32(c[k]) * lit)))
		}
		px[3] = 255
	}
	return img
}

// idColour is an ID's false colour: three bytes of its hash bits, as
// Nuke's Cryptomatte preview derives colours from an ID's bits (so that
// an object keeps its colour from frame to frame and file to file).
func idColour(id uint32) [3]uint8 {
	return [3]uint8{uint8(id >> 24), uint8(id >> 16), uint8(id >> 8)}
}
