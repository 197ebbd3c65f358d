/**
 * The sandbox's in-memory workspace: campaigns, leads, Unibox emails, sending accounts and lead
 * lists, held in Instantly's own JSON shapes (the `Campaign`, `Lead`, `Email`, `Account` and
 * `Workspace` schemas of https://developer.instantly.ai/api-reference/introduction), plus the
 * seed every sandbox starts from.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import { badRequest, notFound } from './errors.js';

/** A webhook subscription, as Instantly answers it (the `Webhook` schema). */
export interface SandboxWebhook {
  id: string;
  organization: string;
  campaign: string | null;
  name: string | null;
  target_hook_url: string;
  event_type: string | null;
  custom_interest_value: number | null;
  /** Custom headers Instantly sends with every delivery. */
  headers: Record<string, string> | null;
  timestamp_created: string;
  /** 1 active (the sandbox never disables one). */
  status: number | null;
  timestamp_error: string | null;
}

/** A campaign, as Instantly answers it. */
export interface SandboxCampaign {
  id: string;
  name: string;
  /** 0 Draft, 1 Active, 2 Paused, 3 Completed, 4 Running subsequences. */
  status: number;
  campaign_schedule: Record<string, unknown>;
  sequences: Record<string, unknown>[];
  email_list: string[];
  daily_limit: number | null;
  stop_on_reply: boolean | null;
  open_tracking: boolean;
  link_tracking: boolean | null;
  organization: string;
  timestamp_created: string;
  timestamp_updated: string;
}

/** A lead, as Instantly answers it. Custom variables live in `payload`. */
export interface SandboxLead {
  id: string;
  timestamp_created: string;
  timestamp_updated: string;
  organization: string;
  campaign: string | null;
  list_id: string | null;
  /** 1 Active, 2 Paused, 3 Completed, -1 Bounced, -2 Unsubscribed, -3 Skipped. */
  status: number;
  email: string | null;
  first_name: string | null;
  last_name: string | null;
  company_name: string | null;
  job_title: string | null;
  website: string | null;
  phone: string | null;
  personalization: string | null;
  pl_value_lead: string | null;
  assigned_to: string | null;
  email_open_count: number;
  email_reply_count: number;
  email_click_count: number;
  company_domain: string;
  status_summary: Record<string, unknown>;
  payload: Record<string, string | number | boolean | null>;
  lt_interest_status?: number;
  timestamp_last_contact: string | null;
  timestamp_last_reply: string | null;
  timestamp_last_interest_change: string | null;
  upload_method: 'api' | 'manual';
}

/** A Unibox email, as Instantly answers it. */
export interface SandboxEmail {
  id: string;
  timestamp_created: string;
  timestamp_email: string;
  message_id: string;
  subject: string;
  from_address_email: string | null;
  to_address_email_list: string;
  cc_address_email_list: string | null;
  bcc_address_email_list: string | null;
  body: { text?: string; html?: string };
  organization_id: string;
  campaign_id: string | null;
  lead: string | null;
  lead_id: string | null;
  eaccount: string;
  /** 1 sent from a campaign, 2 received, 3 sent, 4 scheduled. */
  ue_type: number;
  step: string | null;
  is_unread: number;
  is_auto_reply: number;
  thread_id: string;
  content_preview: string | null;
}

/** A sending account, as Instantly answers it. */
export interface SandboxAccount {
  email: string;
  timestamp_created: string;
  timestamp_updated: string;
  first_name: string;
  last_name: string;
  organization: string;
  /** 1 Active, 2 Paused, 3 Maintenance, -1 Connection error, -2 Soft bounce error, -3 Sending error. */
  status: number;
  /** 0 Paused, 1 Active, -1 Banned, -2 Spam folder unknown, -3 Permanent suspension. */
  warmup_status: number;
  warmup: { limit: number };
  daily_limit: number | null;
  sending_gap: number;
  stat_warmup_score: number | null;
  /** 1 IMAP/SMTP, 2 Google, 3 Microsoft, 4 AWS, 8 AirMail, 11 AirMail Instant. */
  provider_code: number;
  setup_pending: boolean;
  is_managed_account: boolean;
  timestamp_warmup_start: string | null;
}

/** The workspace the sandbox's keys belong to. */
export interface SandboxWorkspace {
  id: string;
  name: string;
  owner: string;
  timestamp_created: string;
  timestamp_updated: string;
}

/**
 * The fixed ids of the seeded workspace, so tests and examples can name them.
 *
 * - campaigns: `draft` (status 0, two sending accounts), `active` (status 1, three leads),
 *   `completed` (status 3);
 * - lead list `list`;
 * - leads: `ada` and `grace` and `alan` in the active campaign, `linus` in the list; Ada has
 *   replied (`adaReply`, unread) to the first step (`adaStep1`); Grace got step 1 (`graceStep1`);
 * - sending accounts `sam@send.example.com` (Google, warmed up), `alex@send.example.com`
 *   (Microsoft) and `new@send.example.com` (still warming up, low limit).
 */
export const SANDBOX_SEED = {
  workspace: '01938a5e-0000-7000-8000-0000000000f1',
  owner: '01938a5e-0000-7000-8000-0000000000f2',
  campaigns: {
    draft: '01938a5e-0000-7000-8000-00000000c001',
    active: '01938a5e-0000-7000-8000-00000000c002',
    completed: '01938a5e-0000-7000-8000-00000000c003',
  },
  list: '01938a5e-0000-7000-8000-00000000b001',
  leads: {
    ada: '01938a5e-0000-7000-8000-00000000a001',
    grace: '01938a5e-0000-7000-8000-00000000a002',
    linus: '01938a5e-0000-7000-8000-00000000a003',
    alan: '01938a5e-0000-7000-8000-00000000a004',
  },
  emails: {
    adaStep1: '01938a5e-0000-7000-8000-00000000e001',
    adaReply: '01938a5e-0000-7000-8000-00000000e002',
    graceStep1: '01938a5e-0000-7000-8000-00000000e003',
  },
  threads: {
    ada: '01938a5e-0000-7000-8000-00000000d001',
    grace: '01938a5e-0000-7000-8000-00000000d002',
  },
  accounts: ['sam@send.example.com', 'alex@send.example.com', 'new@send.example.com'],
} as const;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Lead fields a write may set. */
export interface LeadInput {
  email?: string | null | undefined;
  first_name?: string | null | undefined;
  last_name?: string | null | undefined;
  company_name?: string | null | undefined;
  job_title?: string | null | undefined;
  website?: string | null | undefined;
  phone?: string | null | undefined;
  personalization?: string | null | undefined;
  pl_value_lead?: string | null | undefined;
  assigned_to?: string | null | undefined;
  lt_interest_status?: number | undefined;
  custom_variables?: Record<string, string | number | boolean | null> | undefined;
}

/** Where a lead goes: a campaign or a lead list. */
export interface LeadTarget {
  campaign: string | null;
  list_id: string | null;
}

/** The standard lead fields as Instantly mirrors them (camelCase) in `payload`. */
const PAYLOAD_KEYS: [keyof LeadInput, string][] = [
  ['first_name', 'firstName'],
  ['last_name', 'lastName'],
  ['company_name', 'companyName'],
  ['job_title', 'jobTitle'],
  ['website', 'website'],
  ['phone', 'phone'],
  ['personalization', 'personalization'],
];

/** The workspace's state and the operations the routes perform on it. */
export class SandboxStore {
  workspace: SandboxWorkspace;
  readonly campaigns = new Map<string, SandboxCampaign>();
  readonly leads = new Map<string, SandboxLead>();
  readonly emails = new Map<string, SandboxEmail>();
  readonly accounts = new Map<string, SandboxAccount>();
  /** Webhook subscriptions by id. */
  readonly webhooks = new Map<string, SandboxWebhook>();
  /** Lead lists by id (name only). */
  readonly lists = new Map<string, { id: string; name: string }>();
  /** Lead uploads the plan allows in total (for `remaining_in_plan`). */
  readonly planLeadLimit = 25_000;
  private lastTime = 0;
  private lastIdMs = 0;
  private idCounter = 0;

  constructor(
    private readonly options: { workspaceName: string; seed: boolean; blocklist: ReadonlySet<string> },
  ) {
    this.workspace = this.seedWorkspace();
    this.reset();
  }

  /** Restores the seeded state (or an empty workspace with `seed: false`). */
  reset(): void {
    this.campaigns.clear();
    this.leads.clear();
    this.emails.clear();
    this.accounts.clear();
    this.lists.clear();
    this.webhooks.clear();
    this.workspace = this.seedWorkspace();
    if (this.options.seed) this.seed();
  }

  /** A time-ordered UUID (version 7), strictly increasing, as Instantly's ids are. */
  newId(): string {
    const ms = Math.max(Date.now(), this.lastIdMs);
    this.idCounter = ms === this.lastIdMs ? this.idCounter + 1 : 0;
    this.lastIdMs = ms;
    const time = ms.toString(16).padStart(12, '0');
    const counter = (this.idCounter & 0xfff).toString(16).padStart(3, '0');
    const rand = randomBytes(8).toString('hex');
    const variant = ((Number.parseInt(rand.slice(0, 1), 16) & 0x3) | 0x8).toString(16);
    return `${time.slice(0, 8)}-${time.slice(8)}-7${counter}-${variant}${rand.slice(1, 4)}-${rand.slice(4, 16)}`;
  }

  /** ISO time, strictly increasing so orderings by time are total. */
  now(): string {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }

  /** The campaign with this id, or Instantly's 404. */
  campaign(id: string): SandboxCampaign {
    const campaign = this.campaigns.get(id);
    if (!campaign) throw notFound('Campaign not found');
    return campaign;
  }

  /** The lead with this id, or Instantly's 404. */
  lead(id: string): SandboxLead {
    const lead = this.leads.get(id);
    if (!lead) throw notFound('Lead not found');
    return lead;
  }

  /** Sets a campaign's status (activate: 1, pause: 2). */
  setCampaignStatus(id: string, status: 1 | 2): SandboxCampaign {
    const campaign = this.campaign(id);
    campaign.status = status;
    campaign.timestamp_updated = this.now();
    return campaign;
  }

  /** Checks that a campaign or list exists (404 otherwise). */
  checkTarget(target: LeadTarget): void {
    if (target.campaign) this.campaign(target.campaign);
    if (target.list_id && !this.lists.has(target.list_id)) throw notFound('Lead list not found');
  }

  /** The lead with this email in the campaign or list, if any (emails are unique per campaign and per list). */
  findInTarget(target: LeadTarget, email: string): SandboxLead | undefined {
    const wanted = email.toLowerCase();
    return [...this.leads.values()].find(
      (l) =>
        l.email?.toLowerCase() === wanted &&
        (target.campaign ? l.campaign === target.campaign : l.list_id === target.list_id),
    );
  }

  /** True when `email` (or its domain) is on the workspace blocklist. */
  blocked(email: string): boolean {
    const lower = email.toLowerCase();
    return this.options.blocklist.has(lower) || this.options.blocklist.has(lower.split('@')[1] ?? '');
  }

  /** True when `email` is shaped like an email address. */
  validEmail(email: string): boolean {
    return EMAIL.test(email);
  }

  /** Creates a lead in a campaign or list. The caller has checked the target and duplicates. */
  insertLead(target: LeadTarget, input: LeadInput): SandboxLead {
    const now = this.now();
    const email = input.email?.trim().toLowerCase() ?? null;
    const lead: SandboxLead = {
      id: this.newId(),
      timestamp_created: now,
      timestamp_updated: now,
      organization: this.workspace.id,
      campaign: target.campaign,
      list_id: target.list_id,
      status: 1,
      email,
      first_name: input.first_name ?? null,
      last_name: input.last_name ?? null,
      company_name: input.company_name ?? null,
      job_title: input.job_title ?? null,
      website: input.website ?? null,
      phone: input.phone ?? null,
      personalization: input.personalization ?? null,
      pl_value_lead: input.pl_value_lead ?? null,
      assigned_to: input.assigned_to ?? null,
      email_open_count: 0,
      email_reply_count: 0,
      email_click_count: 0,
      company_domain: email?.split('@')[1] ?? '',
      status_summary: {},
      payload: {},
      timestamp_last_contact: null,
      timestamp_last_reply: null,
      timestamp_last_interest_change: null,
      upload_method: 'api',
    };
    this.applyLead(lead, input, true);
    this.leads.set(lead.id, lead);
    return lead;
  }

  /**
   * Applies a patch. Custom variables replace the lead's previous ones; the camelCase copies of
   * the standard fields in `payload` follow the fields.
   */
  updateLead(lead: SandboxLead, input: LeadInput): SandboxLead {
    this.applyLead(lead, input, input.custom_variables !== undefined);
    lead.timestamp_updated = this.now();
    return lead;
  }

  private applyLead(lead: SandboxLead, input: LeadInput, replaceCustom: boolean): void {
    for (const key of [
      'first_name',
      'last_name',
      'company_name',
      'job_title',
      'website',
      'phone',
      'personalization',
      'pl_value_lead',
      'assigned_to',
    ] as const) {
      if (input[key] !== undefined) lead[key] = input[key] ?? null;
    }
    if (input.lt_interest_status !== undefined) {
      lead.lt_interest_status = input.lt_interest_status;
      lead.timestamp_last_interest_change = this.now();
    }
    const standard = new Set(PAYLOAD_KEYS.map(([, camel]) => camel));
    const custom = replaceCustom
      ? { ...(input.custom_variables ?? {}) }
      : Object.fromEntries(Object.entries(lead.payload).filter(([k]) => !standard.has(k)));
    const payload: SandboxLead['payload'] = {};
    for (const [field, camel] of PAYLOAD_KEYS) {
      const value = lead[field as keyof SandboxLead];
      if (typeof value === 'string') payload[camel] = value;
    }
    lead.payload = { ...payload, ...custom };
  }

  /** Deletes a lead (404 when it does not exist) and returns it as it was. */
  deleteLead(id: string): SandboxLead {
    const lead = this.lead(id);
    this.leads.delete(id);
    return lead;
  }

  /** Stores an email and keeps the lead's counters and timestamps in step. */
  insertEmail(
    email: Omit<SandboxEmail, 'id' | 'timestamp_created' | 'message_id'> & { id?: string },
  ): SandboxEmail {
    const id = email.id ?? this.newId();
    const stored: SandboxEmail = {
      ...email,
      id,
      timestamp_created: email.timestamp_email,
      message_id: `<${id}@sandbox.instantly.test>`,
    };
    this.emails.set(id, stored);
    const lead = stored.lead_id ? this.leads.get(stored.lead_id) : undefined;
    if (lead && stored.ue_type === 2) {
      lead.email_reply_count++;
      lead.timestamp_last_reply = stored.timestamp_email;
    }
    if (lead && (stored.ue_type === 1 || stored.ue_type === 3))
      lead.timestamp_last_contact = stored.timestamp_email;
    return stored;
  }

  /**
   * Records a reply from a lead in its thread (as Instantly's Unibox does when the lead
   * answers), and returns the received email.
   */
  receiveReply(leadId: string, reply: { text: string; subject?: string; autoReply?: boolean }): SandboxEmail {
    const lead = this.lead(leadId);
    const last = this.threadOf(lead);
    if (!last || !lead.email) throw badRequest(`lead ${leadId} has no email thread to reply in`);
    return this.insertEmail({
      timestamp_email: this.now(),
      subject: reply.subject ?? (last.subject.startsWith('Re: ') ? last.subject : `Re: ${last.subject}`),
      from_address_email: lead.email,
      to_address_email_list: last.eaccount,
      cc_address_email_list: null,
      bcc_address_email_list: null,
      body: { text: reply.text, html: `<div>${reply.text}</div>` },
      organization_id: this.workspace.id,
      campaign_id: lead.campaign,
      lead: lead.email,
      lead_id: lead.id,
      eaccount: last.eaccount,
      ue_type: 2,
      step: null,
      is_unread: 1,
      is_auto_reply: reply.autoReply ? 1 : 0,
      thread_id: last.thread_id,
      content_preview: reply.text.slice(0, 100),
    });
  }

  /** The latest email of the lead's thread, if any. */
  threadOf(lead: SandboxLead): SandboxEmail | undefined {
    return [...this.emails.values()]
      .filter((e) => e.lead_id === lead.id)
      .sort((a, b) => a.timestamp_created.localeCompare(b.timestamp_created))
      .at(-1);
  }

  private seedWorkspace(): SandboxWorkspace {
    return {
      id: SANDBOX_SEED.workspace,
      name: this.options.workspaceName,
      owner: SANDBOX_SEED.owner,
      timestamp_created: '2024-11-28T09:00:00.000Z',
      timestamp_updated: '2024-11-28T09:00:00.000Z',
    };
  }

  private seed(): void {
    const org = this.workspace.id;
    const accounts: [string, string, string, number, number, number | null, number][] = [
      // email, first, last, provider, daily limit, warm-up score, warm-up limit
      ['sam@send.example.com', 'Sam', 'Sender', 2, 30, 98, 20],
      ['alex@send.example.com', 'Alex', 'Sender', 3, 25, 91, 20],
      ['new@send.example.com', 'Nia', 'New', 2, 5, null, 10],
    ];
    for (const [n, [email, first, last, provider, daily, score, warmup]] of accounts.entries()) {
      const created = `2024-11-2${8 + (n > 1 ? 1 : 0)}T09:0${n}:00.000Z`;
      this.accounts.set(email, {
        email,
        timestamp_created: created,
        timestamp_updated: created,
        first_name: first,
        last_name: last,
        organization: org,
        status: 1,
        warmup_status: 1,
        warmup: { limit: warmup },
        daily_limit: daily,
        sending_gap: 10,
        stat_warmup_score: score,
        provider_code: provider,
        setup_pending: false,
        is_managed_account: false,
        timestamp_warmup_start: created,
      });
    }
    const schedule = {
      schedules: [
        {
          name: 'Weekdays',
          timing: { from: '09:00', to: '17:00' },
          days: { 1: true, 2: true, 3: true, 4: true, 5: true },
          timezone: 'America/Chicago',
        },
      ],
    };
    const sequence = (subject: string) => [
      {
        steps: [
          {
            type: 'email',
            delay: 2,
            variants: [{ subject, body: 'Hi {{firstName}},<br/><br/>{{personalization}}' }],
          },
          {
            type: 'email',
            delay: 3,
            variants: [{ subject: `Re: ${subject}`, body: 'Following up, {{firstName}}.' }],
          },
        ],
      },
    ];
    const campaigns: [string, string, number, string[]][] = [
      [SANDBOX_SEED.campaigns.draft, 'Q1 Founders', 0, ['sam@send.example.com', 'alex@send.example.com']],
      [SANDBOX_SEED.campaigns.active, 'Agency follow-up', 1, ['sam@send.example.com']],
      [SANDBOX_SEED.campaigns.completed, 'Webinar invite', 3, ['alex@send.example.com']],
    ];
    for (const [n, [id, name, status, senders]] of campaigns.entries()) {
      const created = `2024-12-0${n + 1}T09:00:00.000Z`;
      this.campaigns.set(id, {
        id,
        name,
        status,
        campaign_schedule: schedule,
        sequences: sequence(`Quick question about {{companyName}}`),
        email_list: senders,
        daily_limit: 50,
        stop_on_reply: true,
        open_tracking: true,
        link_tracking: true,
        organization: org,
        timestamp_created: created,
        timestamp_updated: created,
      });
    }
    this.lists.set(SANDBOX_SEED.list, { id: SANDBOX_SEED.list, name: 'Imported from CSV' });

    const active = { campaign: SANDBOX_SEED.campaigns.active, list_id: null };
    const leads: [string, LeadTarget, LeadInput][] = [
      [
        SANDBOX_SEED.leads.ada,
        active,
        {
          email: 'ada@example.com',
          first_name: 'Ada',
          last_name: 'Lovelace',
          company_name: 'Analytical Engines',
          website: 'https://example.com',
          custom_variables: { topic: 'engines' },
        },
      ],
      [
        SANDBOX_SEED.leads.grace,
        active,
        {
          email: 'grace@example.com',
          first_name: 'Grace',
          last_name: 'Hopper',
          company_name: 'Compilers Inc',
        },
      ],
      [
        SANDBOX_SEED.leads.linus,
        { campaign: null, list_id: SANDBOX_SEED.list },
        { email: 'linus@example.org', first_name: 'Linus' },
      ],
      [
        SANDBOX_SEED.leads.alan,
        active,
        { email: 'alan@example.com', first_name: 'Alan', last_name: 'Turing' },
      ],
    ];
    for (const [n, [id, target, input]] of leads.entries()) {
      const lead = this.insertLead(target, input);
      this.leads.delete(lead.id);
      const created = `2024-12-05T10:0${n}:00.000Z`;
      Object.assign(lead, {
        id,
        timestamp_created: created,
        timestamp_updated: created,
        upload_method: 'manual',
      });
      this.leads.set(id, lead);
    }
    const ada = this.lead(SANDBOX_SEED.leads.ada);
    ada.email_open_count = 2;
    const step1 = (leadId: string, emailId: string, threadId: string, at: string) => {
      const lead = this.lead(leadId);
      const subject = `Quick question about ${lead.company_name ?? 'you'}`;
      const text = `Hi ${lead.first_name},\n\nAre you the right person to talk to about outbound?`;
      this.insertEmail({
        id: emailId,
        timestamp_email: at,
        subject,
        from_address_email: 'sam@send.example.com',
        to_address_email_list: lead.email ?? '',
        cc_address_email_list: null,
        bcc_address_email_list: null,
        body: { text, html: text.replace(/\n/g, '<br/>') },
        organization_id: org,
        campaign_id: lead.campaign,
        lead: lead.email,
        lead_id: lead.id,
        eaccount: 'sam@send.example.com',
        ue_type: 1,
        step: '0_0_0',
        is_unread: 0,
        is_auto_reply: 0,
        thread_id: threadId,
        content_preview: text.slice(0, 100),
      });
    };
    step1(
      SANDBOX_SEED.leads.ada,
      SANDBOX_SEED.emails.adaStep1,
      SANDBOX_SEED.threads.ada,
      '2024-12-06T15:00:00.000Z',
    );
    step1(
      SANDBOX_SEED.leads.grace,
      SANDBOX_SEED.emails.graceStep1,
      SANDBOX_SEED.threads.grace,
      '2024-12-06T15:05:00.000Z',
    );
    const reply = 'Hi Sam, yes that is me. Happy to talk next week.';
    this.insertEmail({
      id: SANDBOX_SEED.emails.adaReply,
      timestamp_email: '2024-12-07T08:30:00.000Z',
      subject: 'Re: Quick question about Analytical Engines',
      from_address_email: 'ada@example.com',
      to_address_email_list: 'sam@send.example.com',
      cc_address_email_list: null,
      bcc_address_email_list: null,
      body: { text: reply, html: `<div>${reply}</div>` },
      organization_id: org,
      campaign_id: SANDBOX_SEED.campaigns.active,
      lead: 'ada@example.com',
      lead_id: SANDBOX_SEED.leads.ada,
      eaccount: 'sam@send.example.com',
      ue_type: 2,
      step: null,
      is_unread: 1,
      is_auto_reply: 0,
      thread_id: SANDBOX_SEED.threads.ada,
      content_preview: reply,
    });
  }
}
