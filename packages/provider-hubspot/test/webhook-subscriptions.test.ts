/**
 * `hubspotWebhooks.setup`: HubSpot has no per-account subscription API (webhooks belong to the
 * OAuth app and are configured in its settings), so `oxygen integrations events enable` shows
 * these steps instead of registering anything.
 */
import { describe, expect, it } from 'vitest';
import plugin, { hubspotWebhookSetup } from '../src/index.js';

const url = 'https://hooks.example.com/webhooks/hubspot';

describe('hubspotWebhooks.setup', () => {
  it('is what the plugin declares, with no subscription API', () => {
    expect(plugin.webhooks?.setup).toBe(hubspotWebhookSetup);
    expect(plugin.webhooks?.subscriptions).toBeUndefined();
  });

  it("says which app, the target URL, the scopes and each subscription to create, in HubSpot's names", () => {
    const steps = hubspotWebhookSetup({
      url,
      providerTypes: ['contact.creation', 'contact.propertyChange', 'deal.creation', 'contact.creation'],
    });
    expect(steps).toEqual([
      "In your HubSpot developer account, open the app whose client ID and secret Oxygen uses (OXYGEN_HUBSPOT_CLIENT_ID / OXYGEN_HUBSPOT_CLIENT_SECRET): HubSpot signs deliveries with that app's client secret, so another app's deliveries are rejected.",
      `In the app's Webhooks settings, set the target URL to ${url} (one target URL per app; every subscription delivers there).`,
      'Make sure the app requires the scope(s) crm.objects.contacts.read, crm.objects.deals.read: HubSpot allows subscriptions only to objects the app can read.',
      'Create a subscription to contact.creation.',
      'Create a subscription to contact.propertyChange for each property to watch (HubSpot subscribes to property changes one property at a time).',
      'Create a subscription to deal.creation.',
      'Activate the new subscriptions (HubSpot creates them paused).',
      'Deliveries come only from HubSpot accounts that installed this app: connect the account with `oxygen integrations connect hubspot --oauth` (a private app token installs no app).',
      'Or use the webhooks v3 API with the developer account\'s key: PUT /webhooks/v3/{appId}/settings {"targetUrl": ..., "throttling": {...}} and POST /webhooks/v3/{appId}/subscriptions {"eventType": ..., "propertyName"?: ..., "active": true}.',
    ]);
  });

  it("names every event the plugin declares by HubSpot's own subscription type", () => {
    const types = (plugin.events ?? []).map((e) => e.providerType ?? e.type);
    const steps = hubspotWebhookSetup({ url, providerTypes: types }).join('\n');
    for (const type of types) expect(steps).toContain(`Create a subscription to ${type}`);
    expect(steps).toContain('crm.objects.companies.read');
  });

  it('warns when the URL is not https, which HubSpot refuses', () => {
    const steps = hubspotWebhookSetup({ url: 'http://127.0.0.1:8080/webhooks/hubspot', providerTypes: [] });
    expect(steps).toContain(
      'HubSpot delivers only to a public https URL: serve this endpoint over https first.',
    );
    expect(steps.join('\n')).not.toMatch(/Create a subscription/);
    expect(hubspotWebhookSetup({ url, providerTypes: [] }).join('\n')).not.toMatch(
      /not https|over https first/,
    );
  });
});
