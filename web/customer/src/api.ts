// The one module that talks to the enforcer's local API for the customer's
// window (enforcer/include/enforcer/local_api.h).
//
// The window's session is a cookie the script never sees (HttpOnly) plus a
// CSRF token sent with every request, reads too: a cookie reaches every
// port of 127.0.0.1, the token only scripts of this origin. The token is
// kept in sessionStorage (this origin, this tab), so a reload keeps the
// session and closing the tab ends it.
import { ApiError } from '../../shared/api/client';

export { ApiError };

export type Prompt = {
  id: string;
  kind: 'unattended_access' | 'windows_credentials';
  session_id: string;
  technician_id: string;
  technician_name: string;
  message: string; // in the customer's language, with exactly what approving creates
  asks: ('user_name' | 'password')[];
  prefill?: { user_name: string; domain: string }; // R14
  credential_mode?: 'at_connection' | 'at_setup';
  expires_at?: string;
};

export type Grant = {
  id: string;
  request_id: string;
  technician_id: string;
  technician_name: string; // empty when the request did not name them
  credential_mode: 'at_connection' | 'at_setup';
  state: string;
  user_name: string | null;
  effective_schedule: {
    start: string;
    end: string | null;
    daily: { from: string; to: string; time_zone: string } | null;
  };
};

export type Overview = {
  grants: Grant[];
  credential_sessions: string[]; // sessions holding the customer's Windows credentials
  time_zone: string; // the customer's, as the endpoint was enrolled
};

// What an answer or a revocation settled (R12/R15 notices), or the grant
// an approval of unattended access created.
export type Settled = { state?: string; notice?: string; id?: string };

export type Answer = { user_name?: string; password?: string };

type Fetch = (input: string, init: RequestInit) => Promise<Response>;

const kCsrfKey = 'custodian.window.csrf';

export class WindowApi {
  constructor(
    private readonly onExpired: () => void,
    private readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> = sessionStorage,
    private readonly fetcher: Fetch = (input, init) => fetch(input, init),
  ) {}

  hasSession(): boolean {
    return this.storage.getItem(kCsrfKey) !== null;
  }

  // Spends the one-time `code` of the URL `enforcer prompt` opened.
  async open(code: string): Promise<void> {
    const s = await this.request<{ csrf_token: string }>('POST', '/v1/window/session', { code });
    this.storage.setItem(kCsrfKey, s.csrf_token);
  }
  async close(): Promise<void> {
    await this.request<void>('DELETE', '/v1/window/session');
    this.storage.removeItem(kCsrfKey);
  }

  prompts(): Promise<Prompt[]> {
    return this.request<{ items: Prompt[] }>('GET', '/v1/prompts').then((l) => l.items);
  }
  overview(): Promise<Overview> {
    return this.request<Overview>('GET', '/v1/overview');
  }
  // The password goes from the form into this one request body, and from
  // there on the enforcer side straight into its vault (secret_form.h).
  approve(id: string, answer: Answer): Promise<Settled> {
    return this.request<Settled>('POST', `/v1/prompts/${encodeURIComponent(id)}/approve`, answer);
  }
  deny(id: string): Promise<Settled> {
    return this.request<Settled>('POST', `/v1/prompts/${encodeURIComponent(id)}/deny`, {});
  }
  endGrant(id: string): Promise<Settled> {
    return this.request<Settled>('POST', `/v1/grants/${encodeURIComponent(id)}/revoke`, {});
  }
  revokeCredentials(sessionId: string): Promise<Settled> {
    const path = `/v1/sessions/${encodeURIComponent(sessionId)}/credentials/revoke`;
    return this.request<Settled>('POST', path, {});
  }

  private async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const csrf = this.storage.getItem(kCsrfKey);
    if (csrf) headers['X-CSRF-Token'] = csrf;
    const response = await this.fetcher(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
    if (response.status === 401 && csrf) {
      this.storage.removeItem(kCsrfKey);
      this.onExpired();
    }
    if (!response.ok) {
      throw new ApiError(response.status, await response.json().catch(() => null));
    }
    return (response.status === 204 ? undefined : await response.json()) as T;
  }
}

// The one-time code in a URL's fragment (#code=…), if any.
export function codeIn(hash: string): string | null {
  const m = /^#code=([A-Za-z0-9_-]{16,128})$/.exec(hash);
  return m ? m[1] : null;
}
