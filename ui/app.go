// Package ui is the viewer: a Dear ImGui layout over the engine's frames and
// the render package's display passes. It runs on the GL goroutine (the main
// OS thread) and receives frames from the engine through channels.
package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"time"

	"github.com/AllenDang/cimgui-go/imgui"
	"github.com/dustin/go-humanize"

	"flick/engine"
	"flick/render"
	"flick/settings"
)

// Options says what the viewer opens.
type Options struct {
	Sequence *engine.Sequence
	// First is the frame to show at once (already decoded, so the window
	// never opens on nothing); the viewer releases it to Loader.
	First    *engine.Frame
	Loader   *engine.Loader
	Settings settings.Settings
	// Warning is shown in the status line from the start (for example a
	// settings file that could not be read).
	Warning string
}

// app is the viewer's state. GL goroutine only.
type app struct {
	opt     Options
	display *render.Display
	image   render.Image
	target  render.Target
	err     error // a GL failure: shown, and the viewer stops drawing

	frame    *engine.Frame // the frame on screen: header, windows, timing (pixels released after upload)
	index    int           // the playhead: position in Sequence.Frames of the frame asked for last
	playing  bool
	nextTick time.Time
	view     render.Settings // channels, exposure, transform chosen by the user
	dirty    bool            // the target needs drawing again
	viewW    int
	viewH    int
	camera   render.Camera // where the image sits in the viewport
	fitted   bool          // the camera follows the viewport's size (fit mode)
	probe    probe         // the pixel under the cursor
	probing  bool          // the cursor is over the image
	status   string
}

// Run opens the viewer window and returns when it is closed. It must be
// called on the main OS thread.
func Run(opt Options) error {
	title := "flick — " + opt.Sequence.String()
	win, err := render.NewWindow(render.WindowOptions{
		Title: title, Width: opt.Settings.WindowWidth, Height: opt.Settings.WindowHeight, FPS: 60,
	})
	if err != nil {
		return err
	}
	a := &app{opt: opt, status: opt.Warning, fitted: true}
	// The GL context is current only inside Run: the first frame is
	// uploaded from the first pass of the loop.
	win.Run(a.frameLoop)
	if a.frame != nil {
		opt.Loader.Release(a.frame)
	}
	a.image.Close()
	a.target.Close()
	a.display.Close()
	return a.err
}

func (a *app) frameLoop() {
	if a.display == nil && a.err == nil {
		a.display, a.err = render.NewDisplay()
		a.show(a.opt.First)
	}
	a.receive()
	a.keys()
	a.tick()
	a.layout()
}

// receive takes decoded frames from the loader without waiting.
func (a *app) receive() {
	for {
		select {
		case f := <-a.opt.Loader.Frames():
			a.show(f)
		default:
			return
		}
	}
}

// show uploads a frame's pixels and keeps the frame (pinned in the cache,
// for the pixel probe) until the next one replaces it.
func (a *app) show(f *engine.Frame) {
	if a.frame != nil {
		a.opt.Loader.Release(a.frame)
	}
	a.frame = f
	a.dirty = true
	if f.Err != nil {
		a.image.Close() // a broken frame shows as a broken frame, not as the previous one
		a.status = fmt.Sprintf("frame %d: %v", f.Number, f.Err)
		return
	}
	if err := a.image.Upload(f.Pix, f.DataWindow.Dx(), f.DataWindow.Dy()); err != nil {
		a.status = fmt.Sprintf("frame %d: %v", f.Number, err)
	}
}

// channelKeys are RV's channel keys.
var channelKeys = [...]struct {
	key imgui.Key
	ch  render.Channels
}{
	{imgui.KeyR, render.ChannelR}, {imgui.KeyG, render.ChannelG}, {imgui.KeyB, render.ChannelB},
	{imgui.KeyA, render.ChannelA}, {imgui.KeyC, render.ChannelsRGB}, {imgui.KeyL, render.ChannelLuminance},
}

// keys follows RV's keys: transport, and r g b a c l to solo a channel
// (again to go back to colour), c for colour, l for luminance.
func (a *app) keys() {
	n := len(a.opt.Sequence.Frames)
	for _, k := range channelKeys {
		if ch := k.ch; imgui.IsKeyPressedBoolV(k.key, false) {
			if a.view.Channels == ch {
				ch = render.ChannelsRGB
			}
			a.view.Channels, a.dirty = ch, true
		}
	}
	a.viewKeys()
	switch {
	case imgui.IsKeyPressedBool(imgui.KeySpace):
		a.playing = !a.playing
		a.nextTick = time.Now()
	case imgui.IsKeyPressedBool(imgui.KeyRightArrow):
		a.playing = false
		a.seek((a.index+1)%n, 1)
	case imgui.IsKeyPressedBool(imgui.KeyLeftArrow):
		a.playing = false
		a.seek((a.index+n-1)%n, -1)
	case imgui.IsKeyPressedBool(imgui.KeyHome):
		a.seek(0, 1)
	case imgui.IsKeyPressedBool(imgui.KeyEnd):
		a.seek(n-1, -1)
	}
}

// tick advances playback at the settings' rate, looping; frames that are
// not decoded in time are skipped by the loader's latest-request-wins.
func (a *app) tick() {
	if !a.playing {
		return
	}
	now := time.Now()
	if now.Before(a.nextTick) {
		return
	}
	period := time.Duration(float64(time.Second) / a.opt.Settings.FPS)
	a.nextTick = a.nextTick.Add(period)
	if a.nextTick.Before(now) {
		a.nextTick = now.Add(period)
	}
	a.seek((a.index+1)%len(a.opt.Sequence.Frames), 1)
}

// seek moves the playhead to position i; dir is the way the user is going,
// for prefetch.
func (a *app) seek(i, dir int) {
	a.index = i
	a.opt.Loader.Request(a.opt.Sequence.Frames[i], dir)
}

func (a *app) layout() {
	vp := imgui.MainViewport()
	imgui.SetNextWindowPos(vp.WorkPos())
	imgui.SetNextWindowSize(vp.WorkSize())
	imgui.SetNextWindowViewport(vp.ID())
	imgui.PushStyleVarVec2(imgui.StyleVarWindowPadding, imgui.NewVec2(6, 6))
	imgui.PushStyleVarFloat(imgui.StyleVarWindowRounding, 0)
	imgui.PushStyleVarFloat(imgui.StyleVarWindowBorderSize, 0)
	flags := imgui.WindowFlagsNoDecoration | imgui.WindowFlagsNoMove | imgui.WindowFlagsNoSavedSettings |
		imgui.WindowFlagsNoBringToFrontOnFocus | imgui.WindowFlagsNoDocking
	imgui.BeginV("flick", nil, flags)
	imgui.PopStyleVarV(3)
	defer imgui.End()

	imgui.TextUnformatted(a.header())
	avail := imgui.ContentRegionAvail()
	avail.Y -= 2 * imgui.TextLineHeightWithSpacing()
	a.viewport(avail)
	probeLine := ""
	if a.probing {
		probeLine = a.probe.String()
	}
	imgui.TextUnformatted(probeLine)
	imgui.TextUnformatted(a.statusLine())
}

func (a *app) header() string {
	s := a.opt.Sequence
	text := fmt.Sprintf("%s   %s", filepath.Dir(s.Path(s.First())), s)
	if f := a.frame; f != nil && f.Err == nil {
		d, dw := f.DisplayWindow, f.DataWindow
		text += fmt.Sprintf("   %dx%d", d.Dx(), d.Dy())
		if dw != d {
			text += fmt.Sprintf(" (data %dx%d at %d,%d)", dw.Dx(), dw.Dy(), dw.Min.X, dw.Min.Y)
		}
		text += fmt.Sprintf("   %s, %d channels   %s per frame in memory (RGBA half)",
			f.Header.Compression, len(f.Header.Channels), humanize.Bytes(uint64(8*dw.Dx()*dw.Dy())))
	}
	return text
}

func (a *app) statusLine() string {
	state := "paused"
	if a.playing {
		state = fmt.Sprintf("playing %g fps", a.opt.Settings.FPS)
	}
	frames := a.opt.Sequence.Frames
	shown, _ := slices.BinarySearch(frames, a.frame.Number)
	zoom := fmt.Sprintf("%.4g%%", 100*a.camera.Scale)
	if a.fitted {
		zoom = "fit " + zoom
	}
	text := fmt.Sprintf("frame %d (%d of %d)   %s   %s, %s   %s", a.frame.Number, shown+1, len(frames), state,
		a.view.Channels, a.view.Transform, zoom)
	if a.view.ShowNaN {
		text += ", NaN/Inf shown"
	}
	if f := a.frame; f != nil && f.Err == nil {
		text += fmt.Sprintf("   decode %.1f ms", float64(f.Decode.Microseconds())/1000)
	}
	if a.err != nil {
		return text + "   error: " + a.err.Error()
	}
	if a.status != "" {
		text += "   " + a.status
	}
	return text
}
