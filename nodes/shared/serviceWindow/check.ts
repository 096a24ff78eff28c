/**
 * Reading a contact's WhatsApp service window on a channel: Check Service Window's lookup, which
 * smart send (Send Message, Reply) reuses.
 */
import type { IExecuteFunctions, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { WORKSPACE_PATH } from '../descriptions/node';
import type { Identifier } from '../descriptions/recipients';
import { NotSent } from '../transport/errors';
import type { DeliverySettings } from '../transport/request';
import { birdRequest, readJson } from '../transport/request';
import { panelText, plainText } from '../validation';
import type { ChannelContactInfo, ServiceWindow } from './evaluate';
import { evaluateWindow, unknownContactWindow } from './evaluate';

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
	return (readJson(context, response, itemIndex) as ContactSearchResult).results?.find((contact) => contact.id)?.id;
}

/** What one item asks: which channel, which contact, and how much time must be left. */
export interface WindowQuery {
	channelId: string;
	minimumRemainingSeconds: number;
	contactId?: string;
	identifier?: Identifier;
	identifierValue?: string;
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
		return evaluateWindow(readJson(context, response, itemIndex) as ChannelContactInfo, contactId, Date.now(), query.minimumRemainingSeconds);
	} catch (error) {
		// NodeApiError hands back an error that already is one (NotSent included) unchanged.
		const apiError = new NodeApiError(context.getNode(), error as JsonObject, { itemIndex });
		if (apiError.httpCode === '404' && !(apiError instanceof NotSent)) {
			apiError.message = `Bird knows no channel ${channelId} with contact ${contactId} (item ${itemIndex})`;
			apiError.description = panelText(plainText(apiError.description ?? ''), 'Check the Channel and the contact: Bird answers 404 when either is not part of this workspace.');
		}
		throw apiError;
	}
}
