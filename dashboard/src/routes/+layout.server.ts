import { env } from '$env/dynamic/public';
import { resolveApiUrl } from '$lib/graphql/client';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
  // Read at request time (not build time) so one build serves any environment.
  apiUrl: resolveApiUrl(env.PUBLIC_API_URL),
  locale: locals.locale,
  localeRemembered: locals.localeRemembered,
});
