/** Posting replayed Teams activities to the running service, as the Bot Framework would. */
export interface Posted {
  readonly status: number;
  readonly body: any;
}

export async function post(serviceUrl: string, activity: unknown, headers: Record<string, string> = {}): Promise<Posted> {
  const res = await fetch(`${serviceUrl}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(activity) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}
