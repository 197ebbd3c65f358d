/**
 * The property definitions the sandbox knows, per object type: a subset of HubSpot's default
 * properties plus any custom ones a test configures. The store validates writes against them and
 * `GET /crm/v3/properties/{objectType}` lists them.
 *
 * Shapes follow HubSpot's "Properties API" guide and its "Read all properties" reference
 * (developers.hubspot.com/docs/api-reference/latest/crm/properties/get-properties: `results` of
 * `{ name, label, type, fieldType, description, groupName, options[], displayOrder, calculated,
 * externalOptions, hasUniqueValue, hidden, hubspotDefined, modificationMetadata, formField, ... }`).
 * Default pipeline and stage ids come from HubSpot's deals guide ("default" pipeline with
 * `appointmentscheduled` … `closedlost`).
 *
 * @module
 */

/** The object types the sandbox serves. */
export type ObjectType = 'contacts' | 'companies' | 'deals' | 'notes';

/** Every object type the sandbox serves, in HubSpot's plural spelling. */
export const OBJECT_TYPES: readonly ObjectType[] = ['contacts', 'companies', 'deals', 'notes'];

/** A property's data type, as HubSpot names them. */
export type PropertyType = 'string' | 'number' | 'enumeration' | 'datetime' | 'date' | 'bool';

/** One property definition. */
export interface PropertyDefinition {
  name: string;
  label: string;
  type: PropertyType;
  fieldType: string;
  groupName: string;
  description?: string;
  options?: { label: string; value: string }[];
  /**
   * Values outside `options` are refused with `INVALID_OPTION`. False where the sandbox lists only
   * some of HubSpot's options (industry) or the options are external (owners).
   */
  enforceOptions?: boolean;
  /** A value the API cannot set (`modificationMetadata.readOnlyValue`). */
  readOnly?: boolean;
  hasUniqueValue?: boolean;
  hidden?: boolean;
  calculated?: boolean;
  externalOptions?: boolean;
  hubspotDefined: boolean;
}

/** A custom property a test adds: a name, or a fuller definition. */
export type CustomPropertyInput =
  | string
  | {
      name: string;
      label?: string;
      type?: PropertyType;
      options?: string[];
      hasUniqueValue?: boolean;
    };

/** The stages of HubSpot's default deal pipeline, in board order. */
export const DEFAULT_PIPELINE = {
  id: 'default',
  label: 'Sales Pipeline',
  stages: [
    ['appointmentscheduled', 'Appointment Scheduled'],
    ['qualifiedtobuy', 'Qualified To Buy'],
    ['presentationscheduled', 'Presentation Scheduled'],
    ['decisionmakerboughtin', 'Decision Maker Bought-In'],
    ['contractsent', 'Contract Sent'],
    ['closedwon', 'Closed Won'],
    ['closedlost', 'Closed Lost'],
  ] as const,
};

const options = (pairs: readonly (readonly [string, string])[]) =>
  pairs.map(([value, label]) => ({ value, label }));

const text = (name: string, label: string, groupName: string): PropertyDefinition => ({
  name,
  label,
  type: 'string',
  fieldType: 'text',
  groupName,
  hubspotDefined: true,
});

const system = (name: string, label: string, groupName: string, type: PropertyType): PropertyDefinition => ({
  name,
  label,
  type,
  fieldType: type === 'number' ? 'number' : 'date',
  groupName,
  readOnly: true,
  hubspotDefined: true,
});

const owner = (groupName: string): PropertyDefinition => ({
  name: 'hubspot_owner_id',
  label: 'Owner',
  type: 'enumeration',
  fieldType: 'select',
  groupName,
  externalOptions: true,
  hubspotDefined: true,
});

const LIFECYCLE = options([
  ['subscriber', 'Subscriber'],
  ['lead', 'Lead'],
  ['marketingqualifiedlead', 'Marketing Qualified Lead'],
  ['salesqualifiedlead', 'Sales Qualified Lead'],
  ['opportunity', 'Opportunity'],
  ['customer', 'Customer'],
  ['evangelist', 'Evangelist'],
  ['other', 'Other'],
]);

const lifecycle = (groupName: string): PropertyDefinition => ({
  name: 'lifecyclestage',
  label: 'Lifecycle Stage',
  type: 'enumeration',
  fieldType: 'radio',
  groupName,
  options: LIFECYCLE,
  enforceOptions: true,
  hubspotDefined: true,
});

const address = (groupName: string): PropertyDefinition[] => [
  text('address', 'Street Address', groupName),
  text('city', 'City', groupName),
  text('state', 'State/Region', groupName),
  text('zip', 'Postal Code', groupName),
  text('country', 'Country/Region', groupName),
];

/** HubSpot's default properties the sandbox models, per object type. */
export const STANDARD_PROPERTIES: Record<ObjectType, PropertyDefinition[]> = {
  contacts: [
    // HubSpot keeps emails unique per contact (and accepts idProperty=email) without flagging the
    // property hasUniqueValue, which is for custom unique identifiers.
    text('email', 'Email', 'contactinformation'),
    text('firstname', 'First Name', 'contactinformation'),
    text('lastname', 'Last Name', 'contactinformation'),
    { ...text('phone', 'Phone Number', 'contactinformation'), fieldType: 'phonenumber' },
    { ...text('mobilephone', 'Mobile Phone Number', 'contactinformation'), fieldType: 'phonenumber' },
    text('company', 'Company Name', 'contactinformation'),
    text('jobtitle', 'Job Title', 'contactinformation'),
    text('website', 'Website URL', 'contactinformation'),
    lifecycle('contactinformation'),
    {
      name: 'hs_lead_status',
      label: 'Lead Status',
      type: 'enumeration',
      fieldType: 'radio',
      groupName: 'sales_properties',
      options: options([
        ['NEW', 'New'],
        ['OPEN', 'Open'],
        ['IN_PROGRESS', 'In Progress'],
        ['OPEN_DEAL', 'Open Deal'],
        ['UNQUALIFIED', 'Unqualified'],
        ['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
        ['CONNECTED', 'Connected'],
        ['BAD_TIMING', 'Bad Timing'],
      ]),
      enforceOptions: true,
      hubspotDefined: true,
    },
    owner('sales_properties'),
    ...address('contactinformation'),
    system('hs_object_id', 'Record ID', 'contactinformation', 'number'),
    system('createdate', 'Create Date', 'contactinformation', 'datetime'),
    system('lastmodifieddate', 'Last Modified Date', 'contactinformation', 'datetime'),
  ],
  companies: [
    text('name', 'Company name', 'companyinformation'),
    text('domain', 'Company Domain Name', 'companyinformation'),
    text('website', 'Website URL', 'companyinformation'),
    { ...text('phone', 'Phone Number', 'companyinformation'), fieldType: 'phonenumber' },
    {
      name: 'industry',
      label: 'Industry',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'companyinformation',
      // HubSpot lists ~150 industries; the sandbox lists a few and accepts any value.
      options: options([
        ['COMPUTER_SOFTWARE', 'Computer Software'],
        ['INFORMATION_TECHNOLOGY_AND_SERVICES', 'Information Technology and Services'],
        ['INTERNET', 'Internet'],
        ['MARKETING_AND_ADVERTISING', 'Marketing and Advertising'],
        ['FINANCIAL_SERVICES', 'Financial Services'],
      ]),
      enforceOptions: false,
      hubspotDefined: true,
    },
    { ...text('description', 'Description', 'companyinformation'), fieldType: 'textarea' },
    {
      ...text('numberofemployees', 'Number of Employees', 'companyinformation'),
      type: 'number',
      fieldType: 'number',
    },
    { ...text('annualrevenue', 'Annual Revenue', 'companyinformation'), type: 'number', fieldType: 'number' },
    lifecycle('companyinformation'),
    owner('companyinformation'),
    ...address('companyinformation'),
    system('hs_object_id', 'Record ID', 'companyinformation', 'number'),
    system('createdate', 'Create Date', 'companyinformation', 'datetime'),
    system('hs_lastmodifieddate', 'Last Modified Date', 'companyinformation', 'datetime'),
  ],
  deals: [
    text('dealname', 'Deal Name', 'dealinformation'),
    { ...text('amount', 'Amount', 'dealinformation'), type: 'number', fieldType: 'number' },
    {
      name: 'pipeline',
      label: 'Pipeline',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'dealinformation',
      options: [{ value: DEFAULT_PIPELINE.id, label: DEFAULT_PIPELINE.label }],
      enforceOptions: true,
      hubspotDefined: true,
    },
    {
      name: 'dealstage',
      label: 'Deal Stage',
      type: 'enumeration',
      fieldType: 'radio',
      groupName: 'dealinformation',
      options: options(DEFAULT_PIPELINE.stages),
      enforceOptions: true,
      hubspotDefined: true,
    },
    { ...text('closedate', 'Close Date', 'dealinformation'), type: 'datetime', fieldType: 'date' },
    {
      name: 'dealtype',
      label: 'Deal Type',
      type: 'enumeration',
      fieldType: 'radio',
      groupName: 'dealinformation',
      options: options([
        ['newbusiness', 'New Business'],
        ['existingbusiness', 'Existing Business'],
      ]),
      enforceOptions: true,
      hubspotDefined: true,
    },
    {
      name: 'hs_priority',
      label: 'Priority',
      type: 'enumeration',
      fieldType: 'select',
      groupName: 'dealinformation',
      options: options([
        ['low', 'Low'],
        ['medium', 'Medium'],
        ['high', 'High'],
      ]),
      enforceOptions: true,
      hubspotDefined: true,
    },
    { ...text('description', 'Deal Description', 'dealinformation'), fieldType: 'textarea' },
    owner('dealinformation'),
    system('hs_object_id', 'Record ID', 'dealinformation', 'number'),
    system('createdate', 'Create Date', 'dealinformation', 'datetime'),
    system('hs_lastmodifieddate', 'Last Modified Date', 'dealinformation', 'datetime'),
  ],
  notes: [
    { ...text('hs_note_body', 'Note body', 'engagement'), fieldType: 'html' },
    { ...text('hs_timestamp', 'Activity date', 'engagement'), type: 'datetime', fieldType: 'date' },
    text('hs_attachment_ids', 'Attached file IDs', 'engagement'),
    owner('engagement'),
    system('hs_object_id', 'Record ID', 'engagement', 'number'),
    system('hs_createdate', 'Create Date', 'engagement', 'datetime'),
    system('hs_lastmodifieddate', 'Last Modified Date', 'engagement', 'datetime'),
  ],
};

/** A custom property as HubSpot defines one created in an account (`hubspotDefined` absent). */
export function customProperty(input: CustomPropertyInput, groupName: string): PropertyDefinition {
  const spec = typeof input === 'string' ? { name: input } : input;
  const type = spec.type ?? (spec.options ? 'enumeration' : 'string');
  return {
    name: spec.name,
    label: spec.label ?? spec.name,
    type,
    fieldType: type === 'enumeration' ? 'select' : type === 'number' ? 'number' : 'text',
    groupName,
    ...(spec.options ? { options: spec.options.map((value) => ({ value, label: value })) } : {}),
    enforceOptions: spec.options !== undefined,
    ...(spec.hasUniqueValue ? { hasUniqueValue: true } : {}),
    hubspotDefined: false,
  };
}

/** The group custom properties land in, as in a new HubSpot account. */
export const DEFAULT_GROUP: Record<ObjectType, string> = {
  contacts: 'contactinformation',
  companies: 'companyinformation',
  deals: 'dealinformation',
  notes: 'engagement',
};

const DEFINED_AT = '2019-08-06T02:41:52.000Z';

/** A definition as `GET /crm/v3/properties/{objectType}` answers it (`Property`). */
export function wireProperty(def: PropertyDefinition, displayOrder: number): Record<string, unknown> {
  return {
    updatedAt: DEFINED_AT,
    createdAt: DEFINED_AT,
    name: def.name,
    label: def.label,
    type: def.type,
    fieldType: def.fieldType,
    description: def.description ?? '',
    groupName: def.groupName,
    options: (def.options ?? []).map((o, n) => ({ ...o, displayOrder: n, hidden: false })),
    displayOrder,
    calculated: def.calculated ?? false,
    externalOptions: def.externalOptions ?? false,
    hasUniqueValue: def.hasUniqueValue ?? false,
    hidden: def.hidden ?? false,
    ...(def.hubspotDefined ? { hubspotDefined: true } : {}),
    modificationMetadata: {
      archivable: !def.hubspotDefined,
      readOnlyDefinition: def.hubspotDefined,
      readOnlyValue: def.readOnly ?? false,
    },
    formField: !def.readOnly,
    archived: false,
  };
}
