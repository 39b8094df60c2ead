/** JSON over fetch to the RP; a failed answer ({status:"failed", errorMessage}) becomes an ApiError. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number,
    readonly code?: string,
  ) {
    super(message);
  }
}

export async function api<T = any>(path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? null : JSON.stringify(body),
    credentials: 'same-origin',
  });
  let json: any;
  try {
    json = await res.json();
  } catch {
    throw new ApiError(`the server answered HTTP ${res.status} without JSON`, res.status);
  }
  if (!res.ok || json?.status === 'failed') {
    throw new ApiError(json?.errorMessage || `HTTP ${res.status}`, res.status, json?.code);
  }
  return json as T;
}
