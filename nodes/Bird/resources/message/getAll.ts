import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { readChannelId } from '../../../shared/descriptions/channel';
import { WORKSPACE_PATH } from '../../../shared/descriptions/node';
import type { ItemInput } from '../../../shared/validation';
import type { ContactRef } from '../../shared/contactRef';
import { readContactText, searchContacts, segment } from '../../shared/contactRef';
import { CONTACT_IDENTIFIER_HINT } from '../../shared/locators';
import { operation } from '../../shared/operation';
import type { Paging } from '../../shared/paging';
import { pagingFields, readPages, readPaging } from '../../shared/paging';
import { showFor } from '../../shared/show';
import { readSimplify, simplifyField, simplifyMessage } from '../../shared/simplify';

/** Bird's largest page of a channel's messages. */
const PAGE_SIZE = 1000;

/** Bird's message statuses. */
const STATUSES = ['accepted', 'rejected', 'processing', 'scheduled', 'sent', 'sending_failed', 'delivered', 'delivery_failed', 'deleted', 'skipped'];

const label = (status: string) => status.replace(/_/g, ' ').replace(/^./, (first) => first.toUpperCase());

export const fields: INodeProperties[] = [
	...pagingFields('message', 'getAll'),
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: showFor('message', ['getAll']),
		options: [
			{ displayName: 'Batch ID', name: 'batchId', type: 'string', default: '', description: 'Only the messages of this batch (Send Message in batch mode outputs it)' },
			{
				displayName: 'Contact',
				name: 'contact',
				type: 'string',
				default: '',
				placeholder: 'e.g. +31612345678',
				description: `Only messages with this contact: a contact ID, or ${CONTACT_IDENTIFIER_HINT.replace(/^A /, 'a ')}`,
			},
			{
				displayName: 'Direction',
				name: 'direction',
				type: 'options',
				default: 'outgoing',
				options: [
					{ name: 'Incoming', value: 'incoming', description: 'Messages contacts sent' },
					{ name: 'Outgoing', value: 'outgoing', description: 'Messages sent to contacts' },
				],
			},
			{ displayName: 'Sent After', name: 'startAt', type: 'dateTime', default: '', description: 'Only messages created at or after this time' },
			{ displayName: 'Sent Before', name: 'endAt', type: 'dateTime', default: '', description: 'Only messages created before this time' },
			{
				displayName: 'Status',
				name: 'status',
				type: 'options',
				default: 'delivered',
				options: STATUSES.map((status) => ({ name: label(status), value: status })).sort((a, b) => a.name.localeCompare(b.name)),
			},
		],
	},
	simplifyField('message', ['getAll']),
];

interface MessageList {
	channelId: string;
	paging: Paging;
	qs: IDataObject;
	contact?: ContactRef;
	simplify: boolean;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;

/** What JavaScript's Date gives as text: "Mon Dec 07 2026 09:00:00 GMT+0100 (…)". */
const DATE_STRING = /^[A-Z][a-z]{2} [A-Z][a-z]{2} \d{2} \d{4} \d{2}:\d{2}:\d{2} GMT[+-]\d{4}\b/;

/** A date and time of a filter, as Bird takes it (RFC 3339, UTC). */
function readTime(input: ItemInput, name: 'startAt' | 'endAt', fieldLabel: string): string | undefined {
	const path = `filters.${name}`;
	const raw = input.raw(path);
	if (raw === undefined || raw === '') return undefined;
	// A Date, or text in ISO 8601 (what n8n's date picker and DateTime give) or as a Date prints; not loose text such as
	// "order 12" or a bare number, which Date.parse would read as a day in 2001.
	const text = String(raw).trim();
	const time = raw instanceof Date ? raw.getTime() : ISO_8601.test(text) || DATE_STRING.test(text) ? Date.parse(text) : NaN;
	if (Number.isNaN(time)) input.fail({ label: `Filters › ${fieldLabel}`, path }, `"${String(raw)}" is not a date and time`, '2026-01-31T09:00:00Z');
	return new Date(time).toISOString();
}

/**
 * `GET /workspaces/{ws}/channels/{channelId}/messages`, newest first, page by page: one output
 * item per message. A contact given by identifier is found with Bird's contact search first and
 * filtered by its ID; a contact Bird does not know has no messages, and nothing is listed.
 */
export const run = operation({
	readsOnly: true,
	prepare(input: ItemInput): MessageList {
		const qs: IDataObject = {};
		for (const [name, fieldLabel, allowed] of [
			['status', 'Status', STATUSES],
			['direction', 'Direction', ['incoming', 'outgoing']],
		] as const) {
			const value = input.choice(`filters.${name}`, `Filters › ${fieldLabel}`, allowed);
			if (value) qs[name] = value;
		}
		const startAt = readTime(input, 'startAt', 'Sent After');
		const endAt = readTime(input, 'endAt', 'Sent Before');
		if (startAt && endAt && startAt >= endAt) input.fail({ label: 'Filters › Sent Before', path: 'filters.endAt' }, `${endAt} is not after Sent After (${startAt})`, startAt);
		if (startAt) qs.startAt = startAt;
		if (endAt) qs.endAt = endAt;
		const batchId = input.param('filters.batchId', 'Filters › Batch ID')?.trim();
		if (batchId) qs.batchId = batchId;
		const contact = readContactText(input, 'filters.contact', 'Filters › Contact');
		return { channelId: readChannelId(input), paging: readPaging(input), qs, contact, simplify: readSimplify(input) };
	},
	async send({ channelId, paging, qs, contact, simplify }, call) {
		let contactId = contact && 'id' in contact ? contact.id : undefined;
		if (contact && 'identifier' in contact) {
			const [found] = await searchContacts(call, contact.identifier);
			if (typeof found?.id !== 'string') return { json: {}, each: [] };
			contactId = found.id;
		}
		const request = { method: 'GET' as const, url: `${WORKSPACE_PATH}/channels/${segment(channelId)}/messages`, qs: contactId ? { ...qs, contactId } : qs };
		const messages = await readPages(call, request, paging, PAGE_SIZE);
		return { json: {}, each: simplify ? messages.map(simplifyMessage) : messages };
	},
});
