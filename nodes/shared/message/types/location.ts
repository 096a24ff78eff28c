import { compact } from '../../validation';
import type { MessageType } from '../types';

export const location: MessageType = {
	value: 'location',
	noun: 'location',
	name: 'Location',
	description: 'A pin on the map',
	target: 'body',
	fields: [
		{
			displayName: 'Latitude',
			name: 'latitude',
			type: 'number',
			typeOptions: { numberPrecision: 7 },
			default: 0,
			required: true,
			// n8n's number input would clamp 200 to 90 without a word (minValue/maxValue): the range is shown, and checked when the item runs.
			hint: 'From -90 (south) to 90 (north), e.g. 52.3435942',
		},
		{
			displayName: 'Longitude',
			name: 'longitude',
			type: 'number',
			typeOptions: { numberPrecision: 7 },
			default: 0,
			required: true,
			hint: 'From -180 (west) to 180 (east), e.g. 4.9091077',
		},
		{
			displayName: 'Address',
			name: 'locationAddress',
			type: 'string',
			default: '',
			placeholder: 'e.g. Trompenburgstraat 2C, 1079 TX Amsterdam',
		},
		{
			displayName: 'Label',
			name: 'locationLabel',
			type: 'string',
			default: '',
			placeholder: 'e.g. Amsterdam office',
			description: 'The name of the place',
		},
	],
	build(input) {
		const coordinate = (path: string, label: string, limit: number, example: string) =>
			input.number(input.raw(path), { label, path }, { required: true, min: -limit, max: limit, example });
		return compact({
			coordinates: {
				latitude: coordinate('latitude', 'Latitude', 90, '52.3435942'),
				longitude: coordinate('longitude', 'Longitude', 180, '4.9091077'),
			},
			location: {
				address: input.param('locationAddress', 'Address'),
				label: input.param('locationLabel', 'Label'),
			},
		});
	},
};
