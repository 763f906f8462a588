/* Loaded into xdg-desktop-portal-wlr (LD_PRELOAD) by tests/helpers/sway.py.
 *
 * xdg-desktop-portal-wlr 0.7 (Debian 12) refuses to start a screencast unless the compositor
 * names a DMA-BUF format for the frames, which it never does without a GPU (sway's pixman
 * renderer): upstream issue emersion/xdg-desktop-portal-wlr#289. A desktop with a GPU never
 * meets this. Here every shared-memory format the compositor offers is also announced as a
 * DMA-BUF format; with no DMA-BUF device the backend then offers PipeWire shared memory only
 * (its build_formats()), so frames still go compositor -> portal backend -> PipeWire -> Baton.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>

struct wl_proxy;
struct frame;
struct frame_listener { /* zwlr_screencopy_frame_v1, version 3 */
    void (*buffer)(void *, struct frame *, uint32_t, uint32_t, uint32_t, uint32_t);
    void (*flags)(void *, struct frame *, uint32_t);
    void (*ready)(void *, struct frame *, uint32_t, uint32_t, uint32_t);
    void (*failed)(void *, struct frame *);
    void (*damage)(void *, struct frame *, uint32_t, uint32_t, uint32_t, uint32_t);
    void (*linux_dmabuf)(void *, struct frame *, uint32_t, uint32_t, uint32_t);
    void (*buffer_done)(void *, struct frame *);
};

const char *wl_proxy_get_class(struct wl_proxy *proxy);

static const struct frame_listener *original;
static struct frame_listener wrapped;

static uint32_t drm_format(uint32_t shm_format) {
    if (shm_format == 0) return 0x34325241; /* ARGB8888 */
    if (shm_format == 1) return 0x34325258; /* XRGB8888 */
    return shm_format;                      /* the other wl_shm formats are DRM fourccs */
}

static void buffer(void *data, struct frame *frame, uint32_t format, uint32_t width,
                   uint32_t height, uint32_t stride) {
    original->buffer(data, frame, format, width, height, stride);
    original->linux_dmabuf(data, frame, drm_format(format), width, height);
}

int wl_proxy_add_listener(struct wl_proxy *proxy, void (**implementation)(void), void *data) {
    static int (*next)(struct wl_proxy *, void (**)(void), void *);
    if (!next)
        next = (int (*)(struct wl_proxy *, void (**)(void), void *))dlsym(
            RTLD_NEXT, "wl_proxy_add_listener");
    if (strcmp(wl_proxy_get_class(proxy), "zwlr_screencopy_frame_v1") == 0) {
        if (original == NULL) {
            original = (const struct frame_listener *)implementation;
            wrapped = *original;
            wrapped.buffer = buffer;
        }
        if ((const struct frame_listener *)implementation == original)
            return next(proxy, (void (**)(void))&wrapped, data);
    }
    return next(proxy, implementation, data);
}
