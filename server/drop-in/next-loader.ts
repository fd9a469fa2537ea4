/**
 * `quiltt-mock/next-loader`: a webpack/Turbopack loader for an app's own source files that replaces
 * the origins `https://auth.quiltt.io`, `https://api.quiltt.io` and `https://cdn.quiltt.io` written
 * in it with the emulator's URL. For code that runs in the browser, which no preload reaches: Quiltt's
 * authentication tutorial calls `https://api.quiltt.io/v1/graphql` from a client component. The
 * emulator serves every host on one port, so every origin becomes the same URL. next.config use:
 * docs/drop-in.md. Nothing else is changed; without a `url` option the source is passed on as it is.
 */
import { parseRedirect } from './intercept.js'

const QUILTT_ORIGINS = /https:\/\/(?:auth|api|cdn)\.quiltt\.io(?![\w.:-])/g

/** The source with every Quiltt origin replaced by the emulator's (loopback unless allowRemote). */
export function rewriteQuilttUrls (source: string, url: string, allowRemote = false): string {
  const target = parseRedirect({ url, allowRemote }).url
  return source.replace(QUILTT_ORIGINS, target)
}

interface LoaderContext { getOptions (): { url?: string, allowRemote?: boolean } }

export default function nextLoader (this: LoaderContext, source: string): string {
  const { url, allowRemote } = this.getOptions()
  return url ? rewriteQuilttUrls(source, url, allowRemote) : source
}
