export { searchChannels } from './searchChannels';
export { searchTemplates } from './searchTemplates';
