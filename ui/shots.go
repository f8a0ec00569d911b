package ui

import (
	"fmt"

	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/dustin/go-humanize"

	"flick/engine"
)

// shotPayload is the Shots panel's drag and drop payload type; the row
// dragged is app.shotDrag (the payload itself carries nothing).
const shotPayload = "flick-shot"

// shotsPanel lists the session's shots, one row each: x removes one (not
// the last), a click on its name shows it, dragging the name onto another
// row moves it there, its B button makes it the shot compared with A (not
// A's own row), its offset shifts it against the others (frames, applied
// at once). Above them, how the shots' frames line up (sync).
func (a *app) shotsPanel() {
	sync := int32(a.ses.cmp.sync)
	imgui.SetNextItemWidth(imgui.FontSize() * 6)
	if imgui.ComboStrV("sync", &sync, comboItems(engine.SyncModeNames()), -1) {
		a.setSync(engine.SyncMode(sync))
	}
	imgui.SameLine()
	imgui.TextDisabled("frame: by frame number; start: first frames together")
	flags := imgui.TableFlagsBorders | imgui.TableFlagsRowBg | imgui.TableFlagsSizingFixedFit | imgui.TableFlagsScrollX
	if !imgui.BeginTableV("shots", 7, flags, imgui.NewVec2(0, 0), 0) {
		return
	}
	// The status, the longest, comes last: a narrow panel scrolls to it.
	for _, h := range []string{"", "shot", "B", "range", "size", "offset", "status"} {
		imgui.TableSetupColumn(h)
	}
	imgui.TableHeadersRow()
	show, remove, moveTo, b := -1, -1, -1, -1
	for i, s := range a.ses.shots {
		imgui.PushIDInt(int32(i))
		imgui.TableNextRow()
		imgui.TableSetColumnIndex(0)
		imgui.BeginDisabledV(len(a.ses.shots) < 2)
		if imgui.SmallButton("x") {
			remove = i
		}
		imgui.EndDisabled()
		imgui.TableSetColumnIndex(1)
		if imgui.SelectableBoolV(s.name(), i == a.ses.cur, 0, imgui.NewVec2(0, 0)) && i != a.ses.cur {
			show = i
		}
		if imgui.BeginDragDropSource() {
			a.shotDrag = i
			imgui.SetDragDropPayload(shotPayload, 0, 0)
			imgui.TextUnformatted(s.name())
			imgui.EndDragDropSource()
		}
		if imgui.BeginDragDropTarget() {
			// cimgui-go wraps even no payload (NULL) in a Payload.
			if p := imgui.AcceptDragDropPayload(shotPayload); p.CData != nil {
				moveTo = i
			}
			imgui.EndDragDropTarget()
		}
		imgui.TableSetColumnIndex(2)
		imgui.BeginDisabledV(i == a.ses.cur) // A is not compared with itself
		if imgui.RadioButtonBool("##b", i == a.ses.b) && i != a.ses.b {
			b = i
		}
		imgui.EndDisabled()
		imgui.TableSetColumnIndex(3)
		imgui.TextUnformatted(s.seq.Range.String())
		imgui.TableSetColumnIndex(4)
		if len(s.parts) > 0 {
			d := s.parts[0].DisplayWindow
			imgui.TextUnformatted(fmt.Sprintf("%dx%d", d.Width(), d.Height()))
		}
		imgui.TableSetColumnIndex(5)
		off := int32(s.offset)
		imgui.SetNextItemWidth(imgui.FontSize() * 6)
		if imgui.InputInt("##offset", &off) {
			a.setOffset(i, int(off))
		}
		imgui.TableSetColumnIndex(6)
		imgui.TextUnformatted(esc(a.shotStatus(s)))
		imgui.PopID()
	}
	imgui.EndTable()
	switch {
	case moveTo >= 0:
		a.ses.move(a.shotDrag, moveTo)
	case remove >= 0:
		a.removeShot(remove)
	case show >= 0:
		a.switchTo(show, relativeFrame(a.src().seq, a.ses.clock.Frame(), a.ses.shots[show].seq))
	case b >= 0:
		a.setB(b)
	}
}

// shotStatus is shot s's status line: source.status and the bytes its
// frames hold in the cache.
func (a *app) shotStatus(s *source) string {
	if s.loader == nil {
		return s.status()
	}
	return s.status() + ", " + humanize.IBytes(uint64(a.ses.cache.SourceBytes(s.loader.Source()))) + " cached"
}

// shotsHook is the title's hook for the end-to-end tests: the shot shown
// and the count, then the cache's bytes and budget and each shot's bytes
// in it ("shot 2 of 3 — cache 1200 of 4096 bytes: 800 400 0").
func (a *app) shotsHook() string {
	st := a.ses.cache.Stats()
	h := fmt.Sprintf(" — shot %d of %d — cache %d of %d bytes:", a.ses.cur+1, len(a.ses.shots), st.Bytes, st.Budget)
	for _, s := range a.ses.shots {
		var n int64
		if s.loader != nil {
			n = a.ses.cache.SourceBytes(s.loader.Source())
		}
		h += fmt.Sprintf(" %d", n)
	}
	return h
}
