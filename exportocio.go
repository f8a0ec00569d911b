package main

import (
	"fmt"
	"slices"
	"strings"

	"flick/render"
	"flick/render/ocio"
)

// exportOCIO is flick export's OpenColorIO choice: a config (--ocio, else
// $OCIO) and the input colour space, display, view and look to draw
// through. With no config the built-in transform of --display is used.
type exportOCIO struct {
	config                     string // "" for the built-in transforms
	input, display, view, look string // "" for the config's defaults
}

// inputSpace is the input colour space o and req give: --input-cs, else
// the config's rules over the sequence (ocio.Config.InputSpace).
func (o exportOCIO) inputSpace(req ocio.InputRequest) (string, error) {
	c, err := ocio.Load(o.config)
	if err != nil {
		return "", err
	}
	defer c.Close()
	req.Flag = o.input
	in, err := c.InputSpace(req)
	return in.ColorSpace, err
}

// transform loads o's config and builds the display program's transform
// from the sequence's input colour space (InputSpace of req, with o's
// input as --input-cs) to o's display (the config's default) and view (the
// display's default for that input), with o's look. exrView is --view: when it names one of the
// display's views it is the OpenColorIO view, and *exrView is cleared;
// otherwise it stays the file's view (stereo files). It also returns the
// display's name, which the movie's colour tags follow (export.ColourFor).
// Any failure is one line naming the config.
func (o exportOCIO) transform(exrView *string, req ocio.InputRequest) (*render.ColorTransform, string, error) {
	c, err := ocio.Load(o.config)
	if err != nil {
		return nil, "", err
	}
	defer c.Close()
	displays, display, err := c.Displays()
	if err != nil {
		return nil, "", err
	}
	if o.display != "" {
		if !slices.Contains(displays, o.display) {
			return nil, "", fmt.Errorf("--display %q: %s has no such display (it has %s)", o.display, c.Name(), strings.Join(displays, ", "))
		}
		display = o.display
	}
	req.Flag = o.input
	in, err := c.InputSpace(req)
	if err != nil {
		return nil, "", err
	}
	input := in.ColorSpace
	all, _, err := c.Views(display, "")
	if err != nil {
		return nil, "", err
	}
	_, view, err := c.Views(display, input)
	if err != nil {
		return nil, "", err
	}
	if slices.Contains(all, *exrView) {
		view, *exrView = *exrView, ""
	}
	if o.look != "" {
		looks, err := c.Looks()
		if err != nil {
			return nil, "", err
		}
		if !slices.Contains(looks, o.look) {
			return nil, "", fmt.Errorf("--look %q: %s has no such look (its looks: %s)", o.look, c.Name(), strings.Join(looks, ", "))
		}
	}
	dv := ocio.DisplayView{Input: input, Display: display, View: view, Look: o.look}
	p, err := c.DisplayViewProcessor(dv)
	if err != nil {
		return nil, "", err
	}
	defer p.Close()
	ct, err := render.NewColorTransform(dv.String(), p)
	if err != nil {
		return nil, "", err
	}
	return ct, display, nil
}
