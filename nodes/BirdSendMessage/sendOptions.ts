import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { checkIdentifier } from '../shared/descriptions/recipients';
import type { ItemInput } from '../shared/validation';
import { PATTERNS } from '../shared/validation';

const MAX_SCHEDULE_DAYS = 35;
/** A scheduled time this far in the past is taken for a mistake rather than "send now". */
const PAST_TOLERANCE_MS = 5 * 60 * 1000;

function readTags(input: ItemInput): string[] | undefined {
	const field = { label: 'Options › Tags', path: 'options.tags' };
	const raw = input.raw('options.tags');
	const tags = (Array.isArray(raw) ? raw.map(String) : String(raw ?? '').split(','))
		.map((tag) => tag.trim())
		.filter(Boolean);
	if (tags.length > 10) input.fail(field, `has ${tags.length} tags; at most 10 are allowed`, 'order-update, vip');
	for (const tag of tags) {
		if (!PATTERNS.tag.test(tag)) {
			input.fail(field, `"${tag}" may only use letters, digits, spaces, - and _ (1 to 50 characters)`, 'order-update');
		}
	}
	return tags.length ? tags : undefined;
}

function readSchedule(input: ItemInput): string | undefined {
	const field = { label: 'Options › Scheduled For', path: 'options.scheduledFor' };
	const raw = input.raw('options.scheduledFor');
	if (raw === undefined || raw === '') return undefined;
	const example = new Date(Date.now() + 86_400_000).toISOString();
	const when = new Date(raw instanceof Date ? raw.getTime() : String(raw));
	if (Number.isNaN(when.getTime())) input.fail(field, `"${String(raw)}" is not a date and time`, example);
	const ahead = when.getTime() - Date.now();
	if (ahead > MAX_SCHEDULE_DAYS * 86_400_000) {
		input.fail(field, `${when.toISOString()} is more than ${MAX_SCHEDULE_DAYS} days ahead`, example);
	}
	if (ahead < -PAST_TOLERANCE_MS) input.fail(field, `${when.toISOString()} is in the past`, example);
	return when.toISOString();
}

function readCopies(input: ItemInput, type: 'cc' | 'bcc'): IDataObject[] {
	const path = `options.${type}`;
	const label = `Options › ${type.toUpperCase()}`;
	return String(input.raw(path) ?? '')
		.split(',')
		.map((value) => value.trim())
		.filter(Boolean)
		.map((value) => ({
			identifierKey: 'emailaddress',
			identifierValue: checkIdentifier(input, 'emailaddress', value, { label, path }),
			type,
		}));
}

/** Options of a channel send: replyTo, reference, tags, scheduledFor, validity, cc and bcc. */
export function applySendOptions(input: ItemInput, body: IDataObject): void {
	const replyTo = input.param('options.replyTo', 'Options › Reply To Message ID');
	if (replyTo) body.replyTo = { id: replyTo.trim(), type: 'message' };
	const reference = input.param('options.reference', 'Options › Reference', { maxLength: 256 });
	if (reference) body.reference = reference;
	const tags = readTags(input);
	if (tags) body.tags = tags;
	const scheduledFor = readSchedule(input);
	if (scheduledFor) body.scheduledFor = scheduledFor;
	const validity = input.number(
		input.raw('options.validity'),
		{ label: 'Options › Validity (Seconds)', path: 'options.validity' },
		{ min: 1, integer: true, example: '3600' },
	);
	if (validity !== undefined) body.validity = validity;
	const copies = [...readCopies(input, 'cc'), ...readCopies(input, 'bcc')];
	if (copies.length) {
		const receiver = (body.receiver ?? (body.receiver = { contacts: [] })) as { contacts: IDataObject[] };
		receiver.contacts.push(...copies);
	}
}

export const sendOptions: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'BCC',
			name: 'bcc',
			type: 'string',
			default: '',
			placeholder: 'e.g. audit@example.com',
			description: 'Email addresses that get a blind copy, separated by commas (email channels)',
			displayOptions: { show: { '/identifierKey': ['emailaddress'] } },
		},
		{
			displayName: 'CC',
			name: 'cc',
			type: 'string',
			default: '',
			placeholder: 'e.g. team@example.com',
			description: 'Email addresses that get a copy, separated by commas (email channels)',
			displayOptions: { show: { '/identifierKey': ['emailaddress'] } },
		},
		{
			displayName: 'Reference',
			name: 'reference',
			type: 'string',
			default: '',
			placeholder: 'e.g. order-1234',
			description: 'Your own identifier for the message; Bird returns it in statuses and webhooks',
		},
		{
			displayName: 'Reply To Message ID',
			name: 'replyTo',
			type: 'string',
			default: '',
			placeholder: 'e.g. 1e7b70ab-3dcc-48f4-a6f6-63a493f6134c',
			description: 'The ID of a received message to quote as the one this message answers',
		},
		{
			displayName: 'Scheduled For',
			name: 'scheduledFor',
			type: 'dateTime',
			default: '',
			description: 'When Bird should send the message, at most 35 days ahead',
		},
		{
			displayName: 'Tags',
			name: 'tags',
			type: 'string',
			default: '',
			placeholder: 'e.g. order-update, vip',
			description: 'Up to 10 tags separated by commas; letters, digits, spaces, - and _',
		},
		{
			displayName: 'Validity (Seconds)',
			name: 'validity',
			type: 'number',
			default: 86400,
			description: 'How long Bird keeps trying to deliver the message',
		},
	],
};
