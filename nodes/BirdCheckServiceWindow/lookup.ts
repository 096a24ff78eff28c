import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { readChannelId } from '../shared/descriptions/channel';
import { WORKSPACE_PATH } from '../shared/descriptions/node';
import type { Identifier } from '../shared/descriptions/recipients';
import { readIdentifierList } from '../shared/descriptions/recipients';
import { NotSent } from '../shared/transport/errors';
import type { DeliverySettings } from '../shared/transport/request';
import { birdRequest, responseJson } from '../shared/transport/request';
import type { ItemInput } from '../shared/validation';
import type { ChannelContactInfo, ServiceWindow } from './serviceWindow';
import { evaluateWindow, unknownContactWindow } from './serviceWindow';

interface ContactSearchResult {
	results?: Array<{ id?: string }>;
}

/** Finds one contact of the workspace by identifier; undefined when Bird knows none. */
async function findContactId(
	context: IExecuteFunctions,
	identifier: { key: string; value: string },
	itemIndex: number,
	settings: DeliverySettings,
	halted?: () => boolean,
): Promise<string | undefined> {
	const response = await birdRequest(
		context,
		{ method: 'POST', url: `${WORKSPACE_PATH}/contacts/search`, body: { identifier } },
		{ itemIndex, settings, kind: 'read', halted },
	);
	return (responseJson(response) as ContactSearchResult).results?.find((contact) => contact.id)?.id;
}

/** What one item asks: which channel, which contact, and how much time must be left. */
export interface WindowQuery {
	channelId: string;
	minimumRemainingSeconds: number;
	contactId?: string;
	identifier?: Identifier;
	identifierValue?: string;
}

/** Reads and checks one item's parameters; sends nothing. */
export function readWindowQuery(input: ItemInput): WindowQuery {
	const channelId = readChannelId(input);
	const minutes = input.number(
		input.raw('options.minimumRemainingMinutes'),
		{ label: 'Options › Minimum Remaining Time (Minutes)', path: 'options.minimumRemainingMinutes' },
		{ min: 0, max: 24 * 60, example: '15' },
	);
	const query: WindowQuery = { channelId, minimumRemainingSeconds: (minutes ?? 0) * 60 };
	if ((input.param('contactBy', 'Find Contact By') ?? 'identifier') === 'id') {
		query.contactId = input.uuid(input.raw('contactId'), { label: 'Contact ID', path: 'contactId' }, { required: true });
		query.identifierValue = input.param('contactIdentifierValue', 'Contact Identifier Value')?.trim();
	} else {
		[query.identifier] = readIdentifierList(input, 'identifierValue', 'Contact', { required: true, max: 1 });
		query.identifierValue = query.identifier.identifierValue;
	}
	return query;
}

/** Finds the contact (when asked by identifier) and reads its window on the channel. */
export async function checkWindow(
	context: IExecuteFunctions,
	query: WindowQuery,
	itemIndex: number,
	settings: DeliverySettings,
	halted?: () => boolean,
): Promise<ServiceWindow> {
	const { channelId, identifier, identifierValue } = query;
	const contactId = identifier
		? await findContactId(context, { key: identifier.identifierKey, value: identifier.identifierValue }, itemIndex, settings, halted)
		: query.contactId;
	if (!contactId) return unknownContactWindow(Date.now());

	try {
		const response = await birdRequest(
			context,
			{
				method: 'GET',
				url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}/contacts/${encodeURIComponent(contactId)}`,
				qs: identifierValue ? { contactIdentifierValue: identifierValue } : {},
			},
			{ itemIndex, settings, halted },
		);
		return evaluateWindow(responseJson(response) as ChannelContactInfo, contactId, Date.now(), query.minimumRemainingSeconds);
	} catch (error) {
		// NodeApiError hands back an error that already is one (NotSent included) unchanged.
		const apiError = new NodeApiError(context.getNode(), error as JsonObject, { itemIndex });
		if (apiError.httpCode === '404' && !(apiError instanceof NotSent)) {
			apiError.message = `Bird knows no channel ${channelId} with contact ${contactId} (item ${itemIndex})`;
			apiError.description = `${apiError.description ?? ''}\nCheck the Channel and the contact: Bird answers 404 when either is not part of this workspace.`.trim();
		}
		throw apiError;
	}
}
