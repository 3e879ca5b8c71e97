// Errors, warnings and infos as the API returned them.
export function Messages({ error, warnings = [], infos = [] }: { error?: string | null; warnings?: string[]; infos?: string[] }) {
  return (
    <>
      {error && (
        <div class="msg error" role="alert">
          <strong>Error:</strong> {error}
        </div>
      )}
      {warnings.map((w) => (
        <div class="msg warning" role="status">
          <strong>Warning:</strong> {w}
        </div>
      ))}
      {infos.map((w) => (
        <div class="msg info" role="status">
          <strong>Info:</strong> {w}
        </div>
      ))}
    </>
  );
}
