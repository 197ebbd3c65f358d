/**
 * The sandbox's in-memory state: members, the OAuth grants and tokens LinkedIn would hold,
 * posts, comments, reactions, and the data provider's public profiles.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';

/** A LinkedIn member who can sign in to the sandbox. */
export interface SandboxMember {
  /** The OIDC subject; posts are authored as `urn:li:person:<sub>`. */
  sub: string;
  given_name: string;
  family_name: string;
  email: string;
  email_verified: boolean;
  picture: string;
  locale: { country: string; language: string };
}

/** A member as options may give it: `sub`, names and email; the rest is filled in. */
export type SandboxMemberInput = Pick<SandboxMember, 'sub' | 'given_name' | 'family_name' | 'email'> &
  Partial<SandboxMember>;

/** An access token the sandbox issued. */
export interface SandboxToken {
  token: string;
  sub: string;
  clientId: string;
  scopes: string[];
  /** Epoch ms. */
  expiresAt: number;
  revoked: boolean;
}

/** An authorization code waiting to be exchanged. */
export interface SandboxCode {
  code: string;
  sub: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  nonce?: string | undefined;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: 'S256' | 'plain' | undefined;
  /** Epoch ms; LinkedIn codes live 30 minutes. */
  expiresAt: number;
}

/** A published post. */
export interface SandboxPost {
  urn: string;
  /** The activity the post's comments and reactions hang off. */
  activityUrn: string;
  author: string;
  /** The commentary exactly as sent ("little text"). */
  commentary: string;
  /** What LinkedIn would display: escapes resolved, mentions as names, cut at an unescaped reserved character. */
  text: string;
  /** URNs mentioned with `@[Name](urn)`. */
  mentions: string[];
  visibility: string;
  article?: { source: string; title: string; description?: string | undefined } | undefined;
  lifecycleState: string;
  /** The `LinkedIn-Version` it was created with. */
  version: string | undefined;
  createdAt: number;
}

/** A comment on a post (or a reply to a comment). */
export interface SandboxComment {
  id: string;
  urn: string;
  actor: string;
  /** The post (as given in `object`). */
  object: string;
  text: string;
  parentComment?: string | undefined;
  createdAt: number;
}

/** A member's reaction to a post or comment (one per member and target). */
export interface SandboxReaction {
  id: string;
  actor: string;
  root: string;
  reactionType: string;
  createdAt: number;
}

/** A public profile the data provider knows. */
export interface SandboxProfile {
  linkedin_url: string;
  email?: string | undefined;
  full_name: string;
  first_name: string;
  last_name: string;
  headline?: string | null | undefined;
  title?: string | null | undefined;
  company?: { name: string | null; domain: string | null } | null | undefined;
  location?: string | null | undefined;
  updated_at?: string | undefined;
}

/** The default member: signs in unless another is chosen. */
export const DEFAULT_MEMBERS: SandboxMemberInput[] = [
  { sub: 'yH3rQ9xZ2b', given_name: 'Ada', family_name: 'Lovelace', email: 'ada@example.com' },
];

/** The default public profiles of the data provider. */
export const DEFAULT_PROFILES: SandboxProfile[] = [
  {
    linkedin_url: 'https://www.linkedin.com/in/ada-lovelace',
    email: 'ada@analytical.example',
    full_name: 'Ada Lovelace',
    first_name: 'Ada',
    last_name: 'Lovelace',
    headline: 'First programmer · Analyst of the Analytical Engine',
    title: 'Mathematician',
    company: { name: 'Analytical Engines Ltd', domain: 'analytical.example' },
    location: 'London, United Kingdom',
  },
  {
    linkedin_url: 'https://www.linkedin.com/in/grace-hopper',
    email: 'grace@navy.example',
    full_name: 'Grace Hopper',
    first_name: 'Grace',
    last_name: 'Hopper',
    headline: 'Rear admiral · COBOL',
    title: 'Computer Scientist',
    company: { name: 'US Navy', domain: 'navy.example' },
    location: 'Arlington, Virginia, United States',
  },
];

/** Fills in a member's optional fields. */
export function toMember(input: SandboxMemberInput): SandboxMember {
  return {
    email_verified: true,
    picture: `https://media.licdn.com/dms/image/sandbox/${input.sub}/profile-displayphoto-shrink_100_100/0/`,
    locale: { country: 'US', language: 'en' },
    ...input,
  };
}

/** A LinkedIn-looking access token (`AQ...`). */
export function newAccessToken(): string {
  return `AQ${randomBytes(96).toString('base64url')}`;
}

/** A random opaque string for codes and refresh tokens. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

/** A LinkedIn request id as `x-li-uuid` carries it (16 bytes, base64). */
export function requestId(): string {
  return randomBytes(16).toString('base64');
}

/** Hands out increasing 19-digit ids, like LinkedIn's activity ids. */
export class IdSequence {
  private next = 0n;
  constructor(private readonly base = 7264000000000000000n) {}
  /** The next id. */
  take(): string {
    this.next += 1n;
    return String(this.base + this.next);
  }
  /** Starts again. */
  reset(): void {
    this.next = 0n;
  }
}

const RESERVED = new Set(['|', '{', '}', '@', '[', ']', '(', ')', '<', '>', '*', '_', '~']);
const MENTION = /^@\[((?:\\.|[^\]\\\n])+)\]\((urn:li:(?:person|organization):[A-Za-z0-9_-]+)\)/;
const HASHTAG = /^\{hashtag\|\\#\|([^}|]+)\}/;

/**
 * Renders LinkedIn "little text" as LinkedIn displays it: `\x` is a literal `x`,
 * `@[Name](urn:li:person:<id>)` is a mention shown as `Name`, `{hashtag|\#|tag}` is `#tag`, and
 * an unescaped reserved character ends the text (LinkedIn cuts the post there).
 */
export function renderLittleText(commentary: string): { text: string; mentions: string[] } {
  let text = '';
  const mentions: string[] = [];
  for (let i = 0; i < commentary.length; i++) {
    const c = commentary[i] as string;
    if (c === '\\') {
      text += commentary[i + 1] ?? '';
      i++;
      continue;
    }
    if (c === '@' || c === '{') {
      const rest = commentary.slice(i);
      const mention = MENTION.exec(rest);
      if (mention) {
        text += (mention[1] ?? '').replace(/\\(.)/g, '$1');
        mentions.push(mention[2] as string);
        i += mention[0].length - 1;
        continue;
      }
      const hashtag = HASHTAG.exec(rest);
      if (hashtag) {
        text += `#${hashtag[1]}`;
        i += hashtag[0].length - 1;
        continue;
      }
    }
    if (RESERVED.has(c)) break;
    text += c;
  }
  return { text, mentions };
}

/** `https://www.linkedin.com/in/Ada-Lovelace/?x=1` → `ada-lovelace`: how profiles are matched. */
export function profileSlug(url: string): string | undefined {
  return /linkedin\.com\/in\/([^/?#]+)/i.exec(url)?.[1]?.toLowerCase();
}
