import { MdsError } from './MdsError.ts';

export const MDS3_URL = 'https://mds3.fidoalliance.org/';

const NETWORK_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ECONNREFUSED', 'ENETUNREACH', 'EHOSTUNREACH', 'ECONNRESET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/**
 * Downloads the BLOB text (only when a user asks: `fido-harness mds fetch`). The caller verifies and caches
 * it. No network → MDS_NETWORK_UNAVAILABLE with the underlying cause; HTTP errors and timeouts →
 * MDS_FETCH_FAILED. `fetchImpl` is injectable so tests never touch the network.
 */
export async function fetchMdsBlob(
  options: { url?: string; timeoutMs?: number; maxBytes?: number; fetchImpl?: typeof fetch } = {},
): Promise<string> {
  const url = options.url ?? MDS3_URL;
  const doFetch = options.fetchImpl ?? fetch;
  const maxBytes = options.maxBytes ?? 64 * 1024 * 1024;
  let response: Response;
  try {
    response = await doFetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 30_000), redirect: 'follow' });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError' || e.name === 'AbortError') {
      throw new MdsError('MDS_FETCH_FAILED', `no answer from ${url} within ${options.timeoutMs ?? 30_000} ms (network slow or unavailable)`);
    }
    const code = e.cause?.code;
    throw new MdsError(
      'MDS_NETWORK_UNAVAILABLE',
      `cannot reach ${url}: ${code ?? ''} ${e.cause?.message ?? e.message}`.replace(/\s+/g, ' ').trim() +
        (code && NETWORK_CODES.has(code) ? ' (no network here? use --mds FILE with a BLOB downloaded elsewhere)' : ''),
    );
  }
  if (!response.ok) throw new MdsError('MDS_FETCH_FAILED', `${url} answered HTTP ${response.status} ${response.statusText}`);
  const text = await response.text();
  if (text.length > maxBytes) throw new MdsError('MDS_TOO_LARGE', `${url} sent ${text.length} bytes, over the ${maxBytes}-byte limit`);
  return text;
}
