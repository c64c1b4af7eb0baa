/** The session cookie's name (its own module: the proxy reads it without the session code). */
export const SESSION_COOKIE = 'gw_session';
