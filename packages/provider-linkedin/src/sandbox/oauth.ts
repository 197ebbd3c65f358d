/**
 * The sandbox's OAuth 2.0 and OpenID Connect side: authorization codes, access tokens, ID
 * tokens signed with RS256 (a key pair generated per sandbox, published as JWKS), userinfo.
 *
 * - Authorization code flow: https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow
 * - Sign In with LinkedIn using OpenID Connect: https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2
 *
 * @module
 */

import { createHash, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { SandboxCode, SandboxMember, SandboxToken } from './state.js';
import { newAccessToken, randomToken } from './state.js';

/** What the token endpoint answers (and `issueToken` returns). */
export interface TokenResponse {
  access_token: string;
  /** Seconds; 5184000 (60 days) by default. */
  expires_in: number;
  /** Granted scopes, comma-separated as LinkedIn answers them (`email,openid,profile,w_member_social`). */
  scope: string;
  token_type: 'Bearer';
  /** Present when `openid` was granted. */
  id_token?: string;
  /** Only when the sandbox plays a Marketing Developer Platform partner app (`refreshTokens: true`). */
  refresh_token?: string;
  refresh_token_expires_in?: number;
}

/** A refresh token (partners only). */
export interface SandboxRefreshToken {
  sub: string;
  clientId: string;
  scopes: string[];
  /** Epoch ms; 365 days from the first grant, not extended by use. */
  expiresAt: number;
}

/** The signing key of a sandbox's ID tokens. */
export interface SigningKey {
  privateKey: KeyObject;
  /** The public key as a JWK, with `kid`, `alg` and `use`. */
  jwk: Record<string, unknown>;
}

/** The issuer LinkedIn puts in ID tokens. */
export const ISSUER = 'https://www.linkedin.com/oauth';
/** Refresh tokens (partners) live 365 days. */
const REFRESH_LIFETIME_S = 365 * 24 * 3600;

/** A fresh RS256 key pair. */
export function createSigningKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = createHash('sha256')
    .update(publicKey.export({ format: 'der', type: 'spki' }))
    .digest('hex');
  return {
    privateKey,
    jwk: { ...publicKey.export({ format: 'jwk' }), kid: kid.slice(0, 16), alg: 'RS256', use: 'sig' },
  };
}

/** The OIDC claims / userinfo fields a member shows for the granted scopes. */
export function memberClaims(member: SandboxMember, scopes: readonly string[]): Record<string, unknown> {
  const claims: Record<string, unknown> = { sub: member.sub };
  if (scopes.includes('profile')) {
    Object.assign(claims, {
      name: `${member.given_name} ${member.family_name}`,
      given_name: member.given_name,
      family_name: member.family_name,
      picture: member.picture,
      locale: member.locale,
    });
  }
  if (scopes.includes('email')) {
    Object.assign(claims, { email: member.email, email_verified: member.email_verified });
  }
  return claims;
}

/** Signs an ID token for the member. */
export function idToken(
  key: SigningKey,
  clientId: string,
  member: SandboxMember,
  scopes: readonly string[],
  nonce?: string,
): string {
  const now = Math.floor(Date.now() / 1000);
  const header = { alg: 'RS256', kid: key.jwk.kid, typ: 'JWT' };
  const payload = {
    iss: ISSUER,
    aud: clientId,
    iat: now,
    exp: now + 3600,
    ...(nonce ? { nonce } : {}),
    ...memberClaims(member, scopes),
  };
  const encode = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key.privateKey).toString('base64url');
  return `${signingInput}.${signature}`;
}

/** True when `verifier` matches the code's PKCE challenge (or the code had none). */
export function pkceMatches(code: SandboxCode, verifier: string | undefined): boolean {
  if (!code.codeChallenge) return true;
  if (!verifier) return false;
  const computed =
    code.codeChallengeMethod === 'plain'
      ? verifier
      : createHash('sha256').update(verifier).digest('base64url');
  return computed === code.codeChallenge;
}

/** Issues an access token (and an ID token with `openid`, a refresh token for partners). */
export function grantToken(options: {
  tokens: Map<string, SandboxToken>;
  refreshTokens: Map<string, SandboxRefreshToken>;
  key: SigningKey;
  member: SandboxMember;
  clientId: string;
  scopes: string[];
  lifetimeSeconds: number;
  issueRefreshToken: boolean;
  nonce?: string | undefined;
  /** A refresh grant keeps the refresh token and its original expiry. */
  refresh?: { token: string; record: SandboxRefreshToken } | undefined;
}): TokenResponse {
  const token = newAccessToken();
  options.tokens.set(token, {
    token,
    sub: options.member.sub,
    clientId: options.clientId,
    scopes: options.scopes,
    expiresAt: Date.now() + options.lifetimeSeconds * 1000,
    revoked: false,
  });
  const response: TokenResponse = {
    access_token: token,
    expires_in: options.lifetimeSeconds,
    scope: [...options.scopes].sort().join(','),
    token_type: 'Bearer',
  };
  if (options.scopes.includes('openid')) {
    response.id_token = idToken(options.key, options.clientId, options.member, options.scopes, options.nonce);
  }
  if (options.refresh) {
    response.refresh_token = options.refresh.token;
    response.refresh_token_expires_in = Math.max(
      0,
      Math.round((options.refresh.record.expiresAt - Date.now()) / 1000),
    );
  } else if (options.issueRefreshToken) {
    const refresh = randomToken(48);
    options.refreshTokens.set(refresh, {
      sub: options.member.sub,
      clientId: options.clientId,
      scopes: options.scopes,
      expiresAt: Date.now() + REFRESH_LIFETIME_S * 1000,
    });
    response.refresh_token = refresh;
    response.refresh_token_expires_in = REFRESH_LIFETIME_S;
  }
  return response;
}
