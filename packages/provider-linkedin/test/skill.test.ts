/**
 * The agent skill documents every action, and every example in it is an input the action accepts
 * (the shared checks of `describeSkill`), plus the facts an agent needs about LinkedIn.
 */
import { describeSkill, readSkill } from '@oxygen/testkit';
import { describe, expect, it } from 'vitest';
import plugin, { LINKEDIN_VERSION } from '../src/index.js';

const skillFile = new URL('../SKILL.md', import.meta.url);
// `### profile.enrich (managed only, 2 credits)`
describeSkill({ plugin, skill: skillFile, minDescriptionLength: 80, headingNotes: true });

describe('SKILL.md for LinkedIn', () => {
  const skill = readSkill(skillFile);

  it('states the facts an agent needs: token lifetime, limits, mention syntax, version header', () => {
    expect(skill).toMatch(/60 days/);
    expect(skill).toMatch(/no refresh\s+token/);
    expect(skill).toMatch(/3000 characters/);
    expect(skill).toMatch(/1250 characters/);
    expect(skill).toContain('@[Display Name](urn:li:person:<id>)');
    expect(skill).toContain('LinkedIn-Version: YYYYMM');
    expect(skill).toContain('X-Restli-Protocol-Version: 2.0.0');
    expect(skill).toContain(`pins \`LinkedIn-Version: ${LINKEDIN_VERSION}\``);
  });
});
