import type { INodeCredentialDescription, INodeTypeDescription } from 'n8n-workflow';

import { CREDENTIAL_TYPE } from '../constants';

/** What every Bird node declares the same way. */
export const birdCredential: INodeCredentialDescription[] = [{ name: CREDENTIAL_TYPE, required: true }];

export const birdRequestDefaults: INodeTypeDescription['requestDefaults'] = {
	baseURL: '={{ ($credentials.baseUrl || "https://api.bird.com").replace(/\\/+$/, "") }}',
	headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
};

export const birdIcon: INodeTypeDescription['icon'] = {
	light: 'file:../../icons/bird.svg',
	dark: 'file:../../icons/bird.dark.svg',
};
