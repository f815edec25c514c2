/**
 * The renderer's Content-Security-Policy, written once: main sends it as a response header, the
 * renderer build writes it into index.html's meta tag, and the e2e server sends it too.
 */
export function contentSecurityPolicy(options: { dev?: boolean } = {}): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // Vite's dev server injects component styles as <style> elements; the build emits a file.
    options.dev ? "style-src 'self' 'unsafe-inline'" : "style-src 'self'",
    // Previews and inspector samples arrive as PNG data: URLs.
    "img-src 'self' data:",
    "font-src 'self'",
    options.dev ? "connect-src 'self' ws:" : "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-src 'none'",
    "worker-src 'none'",
  ].join('; ');
}
