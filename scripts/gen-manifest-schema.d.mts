export const schemaFile: string;
export function generateManifestSchema(): Promise<string>;
