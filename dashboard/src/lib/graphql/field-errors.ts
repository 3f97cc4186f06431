/** One message per field path; several for one path are joined. */
export function fieldErrorMap(
  fieldErrors: readonly { path: string; message: string }[],
): Record<string, string> {
  const map: Record<string, string> = {};
  for (const { path, message } of fieldErrors) {
    map[path] = map[path] ? `${map[path]} ${message}` : message;
  }
  return map;
}
