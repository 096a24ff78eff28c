import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../shared/descriptions/node';
import type { Identifier } from '../shared/descriptions/recipients';
import { readIdentifierList } from '../shared/descriptions/recipients';
import { itemInputAt } from '../shared/item-input';
import { readChannelId } from '../shared/presend';
import type { DeliverySettings } from '../shared/transport/request';
import { birdRequest, responseJson } from '../shared/transport/request';
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
): Promise<string | undefined> {
	const response = await birdRequest(
		context,
		{ method: 'POST', url: `${WORKSPACE_PATH}/contacts/search`, body: { identifier } },
		{ itemIndex, settings, kind: 'read' },
	);
	return (responseJson(response) as ContactSearchResult).results?.find((contact) => contact.id)?.id;
}

/** Checks the service window for input item `itemIndex`. */
export async function checkItemWindow(
	context: IExecuteFunctions,
	itemIndex: number,
	settings: DeliverySettings,
): Promise<ServiceWindow> {
	const input = itemInputAt(context, itemIndex);
	const channelId = readChannelId(input);
	const minutes = input.number(
		input.raw('options.minimumRemainingMinutes'),
		{ label: 'Options › Minimum Remaining Time (Minutes)', path: 'options.minimumRemainingMinutes' },
		{ min: 0, max: 24 * 60, example: '15' },
	);

	let contactId: string | undefined;
	let identifierValue: string | undefined;
	let identifier: Identifier | undefined;
	if ((input.param('contactBy', 'Find Contact By') ?? 'identifier') === 'id') {
		contactId = input.uuid(input.raw('contactId'), { label: 'Contact ID', path: 'contactId' }, { required: true });
		identifierValue = input.param('contactIdentifierValue', 'Contact Identifier Value')?.trim();
	} else {
		[identifier] = readIdentifierList(input, 'identifierValue', 'Contact', { required: true, max: 1 });
		identifierValue = identifier.identifierValue;
	}

	if (identifier) {
		const search = { key: identifier.identifierKey, value: identifier.identifierValue };
		contactId = await findContactId(context, search, itemIndex, settings);
	}
	if (!contactId) return unknownContactWindow(Date.now());

	try {
		const response = await birdRequest(
			context,
			{
				method: 'GET',
				url: `${WORKSPACE_PATH}/channels/${encodeURIComponent(channelId)}/contacts/${encodeURIComponent(contactId)}`,
				qs: identifierValue ? { contactIdentifierValue: identifierValue } : {},
			},
			{ itemIndex, settings },
		);
		return evaluateWindow(responseJson(response) as ChannelContactInfo, contactId, Date.now(), (minutes ?? 0) * 60);
	} catch (error) {
		const apiError =
			error instanceof NodeApiError ? error : new NodeApiError(context.getNode(), error as JsonObject, { itemIndex });
		if (apiError.httpCode === '404') {
			apiError.message = `Bird knows no channel ${channelId} with contact ${contactId} (item ${itemIndex})`;
			apiError.description = `${apiError.description ?? ''}\nCheck the Channel and the contact: Bird answers 404 when either is not part of this workspace.`.trim();
		}
		throw apiError;
	}
}
