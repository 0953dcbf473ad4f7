import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes on every sign-in run, so ops can filter in the Temporal UI and CLI. */
export const SA_TENANT = defineSearchAttributeKey('OnrampTenant', SearchAttributeType.KEYWORD);
export const SA_EMAIL = defineSearchAttributeKey('OnrampEmail', SearchAttributeType.KEYWORD);
export const SA_CONNECTION = defineSearchAttributeKey('OnrampConnection', SearchAttributeType.KEYWORD);
export const SA_OUTCOME = defineSearchAttributeKey('OnrampOutcome', SearchAttributeType.KEYWORD);
export const SA_USER = defineSearchAttributeKey('OnrampUser', SearchAttributeType.KEYWORD);
/** Every decision a run made: `linked`, `denied:<reason>[:<detail>]`, `attribute_updated:<field>`, `conflict_opened:<field>`, `approval_<status>`. */
export const SA_DECISIONS = defineSearchAttributeKey('OnrampDecisions', SearchAttributeType.KEYWORD_LIST);

/** A directory's runs (SCIM writes): the directory, and the operation (`POST User`, `PATCH User`…). */
export const SA_DIRECTORY = defineSearchAttributeKey('OnrampDirectory', SearchAttributeType.KEYWORD);
export const SA_OPERATION = defineSearchAttributeKey('OnrampOperation', SearchAttributeType.KEYWORD);

/** Name → server type, for registration on a cluster. */
export const SEARCH_ATTRIBUTES: Record<string, 'Keyword' | 'KeywordList'> = {
  OnrampTenant: 'Keyword',
  OnrampEmail: 'Keyword',
  OnrampConnection: 'Keyword',
  OnrampOutcome: 'Keyword',
  OnrampUser: 'Keyword',
  OnrampDecisions: 'KeywordList',
  OnrampDirectory: 'Keyword',
  OnrampOperation: 'Keyword',
};
