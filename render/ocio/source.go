package ocio

// Source is the config flick uses and why: the first of --ocio, $OCIO and
// the ocio_config setting that is not "".
type Source struct {
	Name string // a path or a built-in name; "" for none
	From string // "--ocio", "$OCIO", "the ocio_config setting"; "" for none
}

// Pick returns the config named by flag (--ocio), else env ($OCIO), else
// setting (ocio_config), else none: then flick keeps its own transforms.
func Pick(flag, env, setting string) Source {
	switch {
	case flag != "":
		return Source{flag, "--ocio"}
	case env != "":
		return Source{env, "$OCIO"}
	case setting != "":
		return Source{setting, "the ocio_config setting"}
	}
	return Source{}
}

// String says which config and why, for info and messages.
func (s Source) String() string {
	if s.Name == "" {
		return "none (flick's own display transforms)"
	}
	name := s.Name
	if IsBuiltin(name) {
		name = BuiltinLabel + ", " + name
	}
	return name + " (from " + s.From + ")"
}
