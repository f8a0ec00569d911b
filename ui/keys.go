package ui

import (
	"fmt"
	"math"
	"strings"

	"github.com/AllenDang/cimgui-go/imgui"

	"flick/render"
)

// mods are the modifiers a chord needs held: exactly these, no others
// (a chord without alt refuses Alt held; Super is not looked at).
type mods uint8

const (
	ctrl mods = 1 << iota
	shift
	alt
)

// A chord is a key and its modifiers, with the name help gives it.
type chord struct {
	key  imgui.Key
	mods mods
	name string // "Ctrl+O", "?" (Shift+/)
}

// A binding is one action and the chords that do it.
type binding struct {
	chords []chord
	help   string
	do     func(*app)
	repeat bool // fires again while the key is held
	typing bool // fires while a text field has the keyboard too
}

// bindings is flick's one table of keys (RV's and mrv2's habits): the key
// handler, the ? overlay, flick --help and the README's key list
// (TestREADMEKeys) all read it.
var bindings = []binding{
	{chords: []chord{{imgui.KeySpace, 0, "Space"}}, help: "play / pause", do: func(a *app) { a.play(a.ses.clock.Dir()) }},
	{chords: []chord{{imgui.KeyUpArrow, 0, "Up"}}, help: "play forwards", do: func(a *app) { a.play(1) }},
	{chords: []chord{{imgui.KeyDownArrow, 0, "Down"}}, help: "play backwards", do: func(a *app) { a.play(-1) }},
	{chords: []chord{{imgui.KeyRightArrow, 0, "Right"}}, help: "step one frame forwards", repeat: true,
		do: func(a *app) { a.step(1) }},
	{chords: []chord{{imgui.KeyLeftArrow, 0, "Left"}}, help: "step one frame back", repeat: true,
		do: func(a *app) { a.step(-1) }},
	{chords: []chord{{imgui.KeyHome, 0, "Home"}}, help: "go to the in point", do: func(a *app) { a.seek(a.ses.in()) }},
	{chords: []chord{{imgui.KeyEnd, 0, "End"}}, help: "go to the out point", do: func(a *app) { a.seek(a.ses.out()) }},
	{chords: []chord{{imgui.KeyLeftBracket, 0, "["}, {imgui.KeyI, 0, "i"}}, help: "set the in point at the frame on screen",
		do: func(a *app) { a.setInOut(a.ses.clock.Frame(), max(a.ses.out(), a.ses.clock.Frame())) }},
	{chords: []chord{{imgui.KeyRightBracket, 0, "]"}, {imgui.KeyO, 0, "o"}}, help: "set the out point at the frame on screen",
		do: func(a *app) { a.setInOut(min(a.ses.in(), a.ses.clock.Frame()), a.ses.clock.Frame()) }},
	{chords: []chord{{imgui.KeyLeftBracket, shift, "Shift+["}, {imgui.KeyI, shift, "Shift+I"}},
		help: "clear the in and out points", do: func(a *app) { a.setInOut(a.ses.span()) }},
	{chords: []chord{{imgui.KeyPageDown, 0, "PageDown"}}, help: "next shot, at the same frame from its start",
		do: func(a *app) { a.pageShot(1) }},
	{chords: []chord{{imgui.KeyPageUp, 0, "PageUp"}}, help: "previous shot, at the same frame from its start",
		do: func(a *app) { a.pageShot(-1) }},
	// Versions and session files (ui/version.go, ui/sessionfile.go).
	{chords: []chord{{imgui.KeyPageDown, alt, "Alt+PageDown"}}, help: "next version of the shot (its v###), in its place",
		do: func(a *app) { a.stepVersion(1) }},
	{chords: []chord{{imgui.KeyPageUp, alt, "Alt+PageUp"}}, help: "previous version of the shot (its v###), in its place",
		do: func(a *app) { a.stepVersion(-1) }},
	{chords: []chord{{imgui.KeyS, ctrl, "Ctrl+S"}}, help: "save the session (the first time: as Ctrl+Shift+S)",
		do: (*app).saveSession},
	{chords: []chord{{imgui.KeyS, ctrl | shift, "Ctrl+Shift+S"}}, help: "save the session as a .flick file",
		do: func(a *app) { a.dlg.openSave(a) }},
	{chords: []chord{{imgui.KeyT, 0, "t"}}, help: "timecode or frame numbers on the timeline",
		do: func(a *app) { a.showTimecode = !a.showTimecode }},
	{chords: []chord{{imgui.KeyR, 0, "r"}}, help: "show red alone (again: colour)", do: solo(render.ChannelR)},
	{chords: []chord{{imgui.KeyG, 0, "g"}}, help: "show green alone (again: colour)", do: solo(render.ChannelG)},
	{chords: []chord{{imgui.KeyB, 0, "b"}}, help: "show blue alone (again: colour)", do: solo(render.ChannelB)},
	{chords: []chord{{imgui.KeyA, 0, "a"}}, help: "show alpha alone (again: colour)", do: solo(render.ChannelA)},
	{chords: []chord{{imgui.KeyC, 0, "c"}}, help: "show colour", do: solo(render.ChannelsRGB)},
	{chords: []chord{{imgui.KeyL, 0, "l"}}, help: "show luminance (again: colour)", do: solo(render.ChannelLuminance)},
	{chords: []chord{{imgui.KeyV, 0, "v"}}, help: "next view (stereo left / right), same layer",
		do: func(a *app) { a.nextView() }},
	{chords: []chord{{imgui.KeyD, 0, "d"}}, help: "next view of the OpenColorIO display",
		do: func(a *app) { a.cycleColour(false) }},
	{chords: []chord{{imgui.KeyD, shift, "Shift+D"}}, help: "next OpenColorIO display",
		do: func(a *app) { a.cycleColour(true) }},
	{chords: []chord{{imgui.KeyPeriod, 0, "."}}, help: "exposure up half a stop", repeat: true,
		do: func(a *app) { a.view.Exposure, a.dirty = a.view.Exposure+0.5, true }},
	{chords: []chord{{imgui.KeyComma, 0, ","}}, help: "exposure down half a stop", repeat: true,
		do: func(a *app) { a.view.Exposure, a.dirty = a.view.Exposure-0.5, true }},
	{chords: []chord{{imgui.Key9, shift, "("}}, help: "gamma down 0.1", repeat: true, do: func(a *app) { a.setGamma(-0.1) }},
	{chords: []chord{{imgui.Key0, shift, ")"}}, help: "gamma up 0.1", repeat: true, do: func(a *app) { a.setGamma(0.1) }},
	{chords: []chord{{imgui.Key0, 0, "0"}, {imgui.KeyKeypad0, 0, "Keypad 0"}}, help: "exposure 0, gamma 1",
		do: func(a *app) { a.view.Exposure, a.view.Gamma, a.dirty = 0, 0, true }},
	{chords: []chord{{imgui.KeyN, 0, "n"}}, help: "show NaN and infinite values",
		do: func(a *app) { a.view.ShowNaN, a.dirty = !a.view.ShowNaN, true }},
	{chords: []chord{{imgui.KeyB, shift, "Shift+B"}}, help: "show the burn-ins over the picture, as exports burn them in",
		do: func(a *app) { a.burnins.Show, a.dirty = !a.burnins.Show, true }},
	{chords: []chord{{imgui.KeyS, shift, "Shift+S"}}, help: "show the Statistics, Histogram and Waveform panels (again: hide them)",
		do: (*app).showInspect},
	{chords: []chord{{imgui.KeyC, shift, "Shift+C"}}, help: "inspect the whole frame (clear the Shift+drag region)",
		do: (*app).clearRegion},
	{chords: []chord{{imgui.KeyM, 0, "m"}}, help: "Cryptomatte matte mode: a click picks, Shift+click adds, Ctrl+click removes (again: off)",
		do: (*app).toggleMatte},
	{chords: []chord{{imgui.KeyM, shift, "Shift+M"}}, help: "matte mode's false colour of all Cryptomatte IDs (again: the picture)",
		do: func(a *app) { a.matte.falseColour, a.dirty = !a.matte.falseColour, true }},
	{chords: []chord{{imgui.KeyC, ctrl, "Ctrl+C"}}, help: "copy the matte selection as Nuke's matte list",
		do: (*app).copyMatte},
	{chords: []chord{{imgui.KeyV, ctrl, "Ctrl+V"}}, help: "paste a matte list as the matte selection",
		do: (*app).pasteMatte},
	// Compare (ui/compare.go): A is the shot shown, B the next unless
	// chosen in the Compare panel.
	{chords: []chord{{imgui.KeyF6, 0, "F6"}}, help: "compare: wipe, A left of the line, B right (again: off)",
		do: func(a *app) { a.setCompare(a.ses.toggle(cmpWipe, cmpOff)) }},
	{chords: []chord{{imgui.KeyF7, 0, "F7"}}, help: "compare: side by side (again: stacked)",
		do: func(a *app) { a.setCompare(a.ses.toggle(cmpSide, cmpStacked)) }},
	{chords: []chord{{imgui.KeyF8, 0, "F8"}}, help: "compare: blend A and B (again: off)",
		do: func(a *app) { a.setCompare(a.ses.toggle(cmpBlend, cmpOff)) }},
	{chords: []chord{{imgui.KeyF9, 0, "F9"}}, help: "compare: difference of A and B (again: signed, mid-grey where equal)",
		do: func(a *app) { a.setCompare(a.ses.toggle(cmpDiff, cmpSigned)) }},
	{chords: []chord{{imgui.KeyX, 0, "x"}}, help: "flip: B alone (again: A alone)",
		do: func(a *app) { a.setCompare(a.ses.flipped()) }},
	{chords: []chord{{peekKey, 0, "z"}}, help: "hold to peek at B (let go: back)", do: (*app).peek},
	{chords: []chord{{imgui.KeyPeriod, shift, ">"}}, help: "blend: more B; difference: gain up half a stop", repeat: true,
		do: func(a *app) { a.nudge(1) }},
	{chords: []chord{{imgui.KeyComma, shift, "<"}}, help: "blend: less B; difference: gain down half a stop", repeat: true,
		do: func(a *app) { a.nudge(-1) }},
	{chords: []chord{{imgui.KeyF, 0, "f"}}, help: "fit the image to the viewer", do: (*app).fit},
	{chords: []chord{{imgui.Key1, 0, "1"}}, help: "one image pixel per screen pixel", do: (*app).actualSize},
	{chords: []chord{{imgui.KeyEqual, shift, "+"}, {imgui.KeyEqual, 0, "="}, {imgui.KeyKeypadAdd, 0, "Keypad +"}},
		help: "zoom in about the viewer's centre", repeat: true, do: func(a *app) { a.zoom(2) }},
	{chords: []chord{{imgui.KeyMinus, 0, "-"}, {imgui.KeyKeypadSubtract, 0, "Keypad -"}},
		help: "zoom out about the viewer's centre", repeat: true, do: func(a *app) { a.zoom(0.5) }},
	{chords: []chord{{imgui.KeyF11, 0, "F11"}, {imgui.KeyGraveAccent, 0, "`"}}, help: "full screen",
		do: (*app).toggleFullscreen},
	{chords: []chord{{imgui.KeyO, ctrl, "Ctrl+O"}}, help: "open a file, pattern or folder", typing: true,
		do: func(a *app) { a.dlg.openOpen(a) }},
	{chords: []chord{{imgui.KeyE, ctrl, "Ctrl+E"}}, help: "export a review movie", typing: true,
		do: func(a *app) { a.dlg.export.open = true }},
	{chords: []chord{{imgui.KeySlash, shift, "?"}, {imgui.KeyF1, 0, "F1"}}, help: "this list (again: close it)",
		do: func(a *app) { a.showKeys = !a.showKeys }},
	{chords: []chord{{imgui.KeyQ, ctrl, "Ctrl+Q"}}, help: "quit", typing: true, do: func(a *app) { a.quit = true }},
}

// mouseHelp follows the key list wherever it is shown.
const mouseHelp = "Mouse: the wheel zooms about the cursor, a drag pans; the pixel under the cursor is probed; " +
	"Shift+drag chooses the region the inspection panels describe; comparing with a wipe, a drag near its line moves it and Shift+drag turns it."

// keys returns how help names b's chords ("[ or i").
func (b *binding) keys() string {
	names := make([]string, len(b.chords))
	for i, c := range b.chords {
		names[i] = c.name
	}
	return strings.Join(names, " or ")
}

// fires reports whether one of b's chords was pressed this frame with
// exactly held: pressed says whether a key went down (or, with repeat,
// repeated). While typing (a text field has the keyboard), only bindings
// marked typing fire, so that text fields keep their keys.
func (b *binding) fires(held mods, typing bool, pressed func(k imgui.Key, repeat bool) bool) bool {
	if typing && !b.typing {
		return false
	}
	for _, c := range b.chords {
		if c.mods == held && pressed(c.key, b.repeat) {
			return true
		}
	}
	return false
}

// typingHelp says which bindings act while a text field has the keyboard.
func typingHelp() string {
	var names []string
	for i := range bindings {
		if bindings[i].typing {
			names = append(names, bindings[i].keys())
		}
	}
	last := len(names) - 1
	return "While a text field has the keyboard, only " + strings.Join(names[:last], ", ") + " and " + names[last] + " act."
}

// KeyHelp returns the key list for flick --help: one line per binding,
// then typingHelp and mouseHelp.
func KeyHelp() string {
	var s strings.Builder
	s.WriteString("Keys:\n")
	for i := range bindings {
		fmt.Fprintf(&s, "  %-22s %s\n", bindings[i].keys(), bindings[i].help)
	}
	s.WriteString(typingHelp() + "\n" + mouseHelp + "\n")
	return s.String()
}

// keys runs the bindings pressed this frame.
func (a *app) keys() {
	io := imgui.CurrentIO()
	var held mods
	if io.KeyCtrl() {
		held |= ctrl
	}
	if io.KeyShift() {
		held |= shift
	}
	if io.KeyAlt() {
		held |= alt
	}
	typing := io.WantTextInput()
	for i := range bindings {
		if bindings[i].fires(held, typing, imgui.IsKeyPressedBoolV) {
			bindings[i].do(a)
		}
	}
	a.endPeek()
}

// solo returns the action of a channel key: show ch, or colour when ch is
// shown already.
func solo(ch render.Channels) func(*app) {
	return func(a *app) {
		show := ch
		if a.view.Channels == ch {
			show = render.ChannelsRGB
		}
		a.view.Channels, a.dirty = show, true
	}
}

func (a *app) toggleFullscreen() {
	a.fullscreen = !a.fullscreen
	if err := a.win.SetFullscreen(a.fullscreen); err != nil {
		a.log.add(levelWarning, err.Error())
		a.fullscreen = false
	}
}

// fit, actualSize and zoom (about the viewer's centre) change the camera;
// they do nothing while no picture is shown.
func (a *app) fit() {
	if a.ses.comparing() { // compareViewport fits both
		a.fitted, a.dirty = true, true
		return
	}
	if f := a.src().frame; f != nil && f.Err == nil {
		a.camera, a.fitted, a.dirty = render.Fit(a.viewW, a.viewH, f.DisplayWindow), true, true
	}
}

func (a *app) actualSize() {
	if f := a.src().frame; f != nil && f.Err == nil {
		a.setCamera(render.Actual(a.viewW, a.viewH, f.DisplayWindow))
	}
}

func (a *app) zoom(by float32) {
	if f := a.src().frame; f != nil && f.Err == nil {
		a.setCamera(a.camera.ZoomAbout(float32(a.viewW)/2, float32(a.viewH)/2, a.camera.Scale*by))
	}
}

// setGamma changes the display gamma by d (1 when unset), within 0.1..10.
func (a *app) setGamma(d float32) {
	g := a.view.Gamma
	if g == 0 {
		g = 1
	}
	g = float32(math.Round(float64(g+d)*10) / 10)
	a.view.Gamma, a.dirty = min(max(g, 0.1), 10), true
}

// keysOverlay lists every key over the viewer.
func (a *app) keysOverlay() {
	if !a.showKeys {
		return
	}
	vp := imgui.MainViewport()
	imgui.SetNextWindowPosV(vp.Center(), imgui.CondAlways, imgui.NewVec2(0.5, 0.5))
	// Never larger than the window: the list scrolls under the wheel.
	imgui.SetNextWindowSizeConstraints(imgui.NewVec2(0, 0), imgui.NewVec2(vp.Size().X*0.95, vp.Size().Y*0.95))
	imgui.SetNextWindowBgAlpha(0.9)
	flags := imgui.WindowFlagsNoTitleBar | imgui.WindowFlagsNoResize | imgui.WindowFlagsNoCollapse |
		imgui.WindowFlagsAlwaysAutoResize | imgui.WindowFlagsNoSavedSettings | imgui.WindowFlagsNoDocking |
		imgui.WindowFlagsNoFocusOnAppearing
	if imgui.BeginV("Keys", &a.showKeys, flags) {
		imgui.TextUnformatted("Keys")
		imgui.Separator()
		// Two bindings a row, their words wrapped in columns of a fixed
		// width: the list is half as tall and no wider than a laptop's
		// window.
		if imgui.BeginTableV("keys", 4, imgui.TableFlagsSizingFixedFit, imgui.NewVec2(0, 0), 0) {
			for range 2 {
				imgui.TableSetupColumn("key")
				imgui.TableSetupColumnV("does", imgui.TableColumnFlagsWidthFixed, 330*unit(), 0)
			}
			half := (len(bindings) + 1) / 2
			for i := range half {
				imgui.TableNextRow()
				for _, j := range []int{i, i + half} {
					if j >= len(bindings) {
						break
					}
					imgui.TableNextColumn()
					imgui.TextUnformatted(bindings[j].keys())
					imgui.TableNextColumn()
					imgui.PushTextWrapPosV(0)
					imgui.TextUnformatted(bindings[j].help)
					imgui.PopTextWrapPos()
				}
			}
			imgui.EndTable()
		}
		imgui.PushTextWrapPosV(imgui.ItemRectSize().X)
		imgui.TextUnformatted(typingHelp())
		imgui.TextUnformatted(mouseHelp)
		imgui.PopTextWrapPos()
	}
	imgui.End()
}
