/** The admin token lives in sessionStorage: it survives a reload, not the closing of the tab. */
const KEY = 'tagflow.token';

export function loadToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    // Storage can be disabled by the browser's privacy settings: the user then signs in per page load.
    return null;
  }
}

export function saveToken(token: string): void {
  try {
    sessionStorage.setItem(KEY, token);
  } catch {
    /* see loadToken: nothing to keep it in */
  }
}

export function forgetToken(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* see loadToken */
  }
}
