package render

// cimgui-go v1.4.0 ships prebuilt static libraries compiled against glibc 2.38,
// whose headers redirect sscanf to __isoc23_sscanf (the only such symbol
// cimgui.a and libglfw3.a reference).
// Debian 12 has glibc 2.36, which lacks it, so the link fails. Every binary
// that opens a window links this package, so the forwarding function lives
// here. With glibc 2.38 or newer the real symbol exists and nothing is defined.

/*
#include <features.h>
#if !__GLIBC_PREREQ(2, 38)
#include <stdarg.h>
#include <stdio.h>

int __isoc23_sscanf(const char *s, const char *format, ...) {
	va_list ap;
	va_start(ap, format);
	int n = vsscanf(s, format, ap);
	va_end(ap);
	return n;
}

#endif
*/
import "C"
