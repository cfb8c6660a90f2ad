import { createHash, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

export const TOKEN_COOKIE = 'lsw_dashboard_token';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/**
 * Every route (page, API, SSE, bull-board) requires the token when one is set: as
 * `Authorization: Bearer <t>`, as the HttpOnly cookie, or once as `?token=<t>`, which sets the
 * cookie (so the page's own requests and its EventSource carry it) and, for a page, redirects
 * to the same URL without the token so it does not stay in the address bar or history.
 */
export function requireToken(token: string) {
  const expected = digest(token);
  const matches = (candidate: string | undefined) =>
    candidate !== undefined && candidate.length > 0 && timingSafeEqual(digest(candidate), expected);

  return (req: Request, res: Response, next: NextFunction): void => {
    const auth = req.get('authorization');
    const bearer = auth?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    if (matches(bearer) || matches(cookieValue(req.get('cookie'), TOKEN_COOKIE))) {
      next();
      return;
    }
    const query = new URL(req.originalUrl, 'http://dashboard.invalid');
    if (matches(query.searchParams.get('token') ?? undefined)) {
      res.cookie(TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'strict', path: '/' });
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html' && !req.path.startsWith('/api/')) {
        query.searchParams.delete('token');
        res.redirect(303, query.pathname + query.search);
        return;
      }
      next();
      return;
    }
    res.set('WWW-Authenticate', 'Bearer realm="lstm-sweep dashboard"');
    res.status(401).json({
      error: 'unauthorized: this dashboard needs its token (Authorization: Bearer <token>, or open /?token=<token> once)',
    });
  };
}
