// ocio.cpp: OpenColorIO 2.1 behind the C functions of ocio.h. Each
// extern "C" function runs its body inside one try block whose handlers
// copy the exception's message into the caller's buffer.

#include "ocio.h"

#include <OpenColorIO/OpenColorIO.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

namespace OCIO = OCIO_NAMESPACE;

extern "C" void flickOCIOLog(char *line); // exported by log.go

struct flick_ocio_config {
	OCIO::ConstConfigRcPtr cfg;
};

struct flick_ocio_processor {
	OCIO::ConstProcessorRcPtr proc;
};

struct flick_ocio_cpu {
	OCIO::ConstCPUProcessorRcPtr cpu;
};

struct flick_ocio_gpu {
	OCIO::GpuShaderDescRcPtr desc;
};

namespace {

void report(const char *text, char *msg, size_t msg_len) noexcept
{
	if (msg != nullptr && msg_len > 0)
		std::snprintf(msg, msg_len, "%s", text);
}

// caught reports the exception being handled; it must be called from
// inside a catch handler.
void caught(char *msg, size_t msg_len) noexcept
{
	try {
		throw;
	} catch (const std::bad_alloc &) {
		report("out of memory", msg, msg_len);
	} catch (const std::exception &e) {
		report(e.what(), msg, msg_len);
	} catch (...) {
		report("unknown C++ exception", msg, msg_len);
	}
}

const char *str(const char *s) { return s != nullptr ? s : ""; }

// block collects the strings a query answers, each NUL-terminated.
struct block {
	std::string data;
	void add(const char *s) { data.append(str(s)).push_back('\0'); }
	void add(const std::string &s) { data.append(s).push_back('\0'); }
	void add(long n) { add(std::to_string(n)); }
};

void ask(const OCIO::ConstConfigRcPtr &cfg, flick_ocio_question q, const char *a, const char *b, block &out)
{
	switch (q) {
	case FLICK_OCIO_ABOUT:
		out.add(cfg->getName());
		out.add(std::to_string(cfg->getMajorVersion()) + "." + std::to_string(cfg->getMinorVersion()));
		out.add(cfg->getDescription());
		break;
	case FLICK_OCIO_DISPLAYS:
		out.add(cfg->getDefaultDisplay());
		for (int i = 0; i < cfg->getNumDisplays(); i++)
			out.add(cfg->getDisplay(i));
		break;
	case FLICK_OCIO_VIEWS:
		if (*b == '\0') {
			out.add(cfg->getDefaultView(a));
			for (int i = 0; i < cfg->getNumViews(a); i++)
				out.add(cfg->getView(a, i));
		} else {
			out.add(cfg->getDefaultView(a, b));
			for (int i = 0; i < cfg->getNumViews(a, b); i++)
				out.add(cfg->getView(a, b, i));
		}
		break;
	case FLICK_OCIO_LOOKS:
		for (int i = 0; i < cfg->getNumLooks(); i++)
			out.add(cfg->getLookNameByIndex(i));
		break;
	case FLICK_OCIO_COLORSPACES:
		for (int i = 0; i < cfg->getNumColorSpaces(); i++) {
			OCIO::ConstColorSpaceRcPtr cs = cfg->getColorSpace(cfg->getColorSpaceNameByIndex(i));
			out.add(cs->getName());
			out.add(cs->getFamily());
			out.add(cs->getEncoding());
			out.add(cs->isData() ? 1L : 0L);
			out.add(long(cs->getNumAliases()));
			for (size_t j = 0; j < cs->getNumAliases(); j++)
				out.add(cs->getAlias(j));
		}
		break;
	case FLICK_OCIO_ROLES:
		for (int i = 0; i < cfg->getNumRoles(); i++) {
			out.add(cfg->getRoleName(i));
			out.add(cfg->getRoleColorSpace(i));
		}
		break;
	case FLICK_OCIO_CANONICAL:
		out.add(cfg->getCanonicalName(a));
		break;
	case FLICK_OCIO_FILE_RULE: {
		size_t rule = 0;
		out.add(cfg->getColorSpaceFromFilepath(a, rule));
		OCIO::ConstFileRulesRcPtr rules = cfg->getFileRules();
		out.add(long(rule));
		out.add(rules->getName(rule));
		// The Default rule is always the last one.
		out.add(rule + 1 == rules->getNumEntries() ? 1L : 0L);
		break;
	}
	case FLICK_OCIO_ISDATA: {
		OCIO::ConstColorSpaceRcPtr cs = cfg->getColorSpace(a);
		if (!cs)
			throw std::invalid_argument(std::string("no colour space, role or alias named '") + a + "'");
		out.add(cs->isData() ? 1L : 0L);
		break;
	}
	default:
		throw std::invalid_argument("unknown question");
	}
}

// checked validates a config just read: a view naming a colour space the
// config lacks, say, fails here, at load, not at the first transform.
flick_ocio_config *checked(OCIO::ConstConfigRcPtr cfg)
{
	cfg->validate();
	return new flick_ocio_config{std::move(cfg)};
}

} // namespace

extern "C" {

void flick_ocio_route_log(void)
{
	try {
		OCIO::SetLoggingFunction([](const char *line) {
			// The callback gets a const string; cgo exports take char *.
			flickOCIOLog(const_cast<char *>(line));
		});
	} catch (...) {
		// Nothing to report to: the log keeps going to stderr.
	}
}

const char *flick_ocio_version(void)
{
	return OCIO::GetVersion(); // noexcept in practice: a static string
}

flick_ocio_config *flick_ocio_config_from_file(const char *path, char *msg, size_t msg_len)
{
	try {
		// OpenColorIO caches the files transforms read, across configs: a
		// config loaded again reads its LUTs afresh (one fixed since).
		OCIO::ClearAllCaches();
		return checked(OCIO::Config::CreateFromFile(path));
	} catch (...) {
		caught(msg, msg_len);
		return nullptr;
	}
}

flick_ocio_config *flick_ocio_config_from_text(const char *text, char *msg, size_t msg_len)
{
	try {
		std::istringstream in(text);
		return checked(OCIO::Config::CreateFromStream(in));
	} catch (...) {
		caught(msg, msg_len);
		return nullptr;
	}
}

void flick_ocio_config_free(flick_ocio_config *c)
{
	delete c; // a shared_ptr's release does not throw
}

char *flick_ocio_query(const flick_ocio_config *c, flick_ocio_question q, const char *a, const char *b,
		       size_t *len, char *msg, size_t msg_len)
{
	try {
		block out;
		ask(c->cfg, q, str(a), str(b), out);
		char *mem = static_cast<char *>(std::malloc(out.data.size() + 1));
		if (mem == nullptr)
			throw std::bad_alloc();
		std::memcpy(mem, out.data.data(), out.data.size());
		mem[out.data.size()] = '\0'; // an empty answer is still a valid pointer
		*len = out.data.size();
		return mem;
	} catch (...) {
		caught(msg, msg_len);
		return nullptr;
	}
}

flick_ocio_processor *flick_ocio_processor_display(const flick_ocio_config *c, const char *src,
						   const char *display, const char *view, const char *look,
						   int inverse, char *msg, size_t msg_len)
{
	try {
		OCIO::DisplayViewTransformRcPtr dv = OCIO::DisplayViewTransform::Create();
		dv->setSrc(src);
		dv->setDisplay(display);
		dv->setView(view);
		dv->setDirection(inverse ? OCIO::TRANSFORM_DIR_INVERSE : OCIO::TRANSFORM_DIR_FORWARD);
		if (*str(look) == '\0')
			return new flick_ocio_processor{c->cfg->getProcessor(dv)};
		// OpenColorIO 2.1's way to put a look in front of a display/view:
		// the look runs in its process space, the view without its own looks.
		OCIO::LegacyViewingPipelineRcPtr vp = OCIO::LegacyViewingPipeline::Create();
		vp->setDisplayViewTransform(dv);
		vp->setLooksOverrideEnabled(true);
		vp->setLooksOverride(look);
		return new flick_ocio_processor{vp->getProcessor(c->cfg)};
	} catch (...) {
		caught(msg, msg_len);
		return nullptr;
	}
}

flick_ocio_processor *flick_ocio_processor_spaces(const flick_ocio_config *c, const char *src, const char *dst,
						  char *msg, size_t msg_len)
{
	try {
		return new flick_ocio_processor{c->cfg->getProcessor(src, dst)};
	} catch (...) {
		caught(msg, msg_len);
		return nullptr;
	}
}

void flick_ocio_processor_free(flick_ocio_processor *p)
{
	delete p;
}

flick_ocio_cpu *flick_ocio_cpu_new(const flick_ocio_processor *p, char *msg, size_t msg_len)
{
	try {
		return new flick_ocio_cpu{p->proc->getOptimizedCPUProcessor(
			OCIO::BIT_DEPTH_F32, OCIO::BIT_DEPTH_F32, OCIO::OPTIMIZATION_DEFAULT)};
	} catch (...) {
		caught(msg, msg_len);
		return nullptr;
	}
}

void flick_ocio_cpu_free(flick_ocio_cpu *c)
{
	delete c;
}

int flick_ocio_cpu_apply_rgba(const flick_ocio_cpu *c, float *px, long n, char *msg, size_t msg_len)
{
	try {
		OCIO::PackedImageDesc img(px, n, 1, 4);
		c->cpu->apply(img);
		return 0;
	} catch (...) {
		caught(msg, msg_len);
		return -1;
	}
}

flick_ocio_gpu *flick_ocio_gpu_new(const flick_ocio_processor *p, const char *function, const char *prefix,
				   char *msg, size_t msg_len)
{
	try {
		OCIO::GpuShaderDescRcPtr desc = OCIO::GpuShaderDesc::CreateShaderDesc();
		desc->setLanguage(OCIO::GPU_LANGUAGE_GLSL_4_0);
		desc->setFunctionName(function);
		desc->setResourcePrefix(prefix);
		p->proc->getOptimizedGPUProcessor(OCIO::OPTIMIZATION_DEFAULT)->extractGpuShaderInfo(desc);
		return new flick_ocio_gpu{std::move(desc)};
	} catch (...) {
		caught(msg, msg_len);
		return nullptr;
	}
}

void flick_ocio_gpu_free(flick_ocio_gpu *g)
{
	delete g;
}

const char *flick_ocio_gpu_text(const flick_ocio_gpu *g, unsigned *textures, unsigned *textures3d,
				unsigned *uniforms)
{
	// All noexcept.
	*textures = g->desc->getNumTextures();
	*textures3d = g->desc->getNum3DTextures();
	*uniforms = g->desc->getNumUniforms();
	return g->desc->getShaderText();
}

int flick_ocio_gpu_lut(const flick_ocio_gpu *g, int three_d, unsigned i, flick_ocio_lut *out, char *msg,
		       size_t msg_len)
{
	try {
		OCIO::Interpolation interp = OCIO::INTERP_UNKNOWN;
		if (three_d) {
			unsigned edge = 0;
			g->desc->get3DTexture(i, out->name, out->sampler, edge, interp);
			g->desc->get3DTextureValues(i, out->values);
			out->width = out->height = out->depth = edge;
			out->rgb = 1;
		} else {
			OCIO::GpuShaderDesc::TextureType channel = OCIO::GpuShaderDesc::TEXTURE_RED_CHANNEL;
			g->desc->getTexture(i, out->name, out->sampler, out->width, out->height, channel, interp);
			g->desc->getTextureValues(i, out->values);
			out->depth = 0;
			out->rgb = channel == OCIO::GpuShaderDesc::TEXTURE_RGB_CHANNEL;
		}
		out->interpolation = int(interp);
		return 0;
	} catch (...) {
		caught(msg, msg_len);
		return -1;
	}
}

} // extern "C"
