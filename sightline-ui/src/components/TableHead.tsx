// A table's header row; a null column is one of row actions, named for screen readers only.
export function TableHead({ columns }: { columns: (string | null)[] }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <th scope="col">{c ?? <span class="sr-only">Actions</span>}</th>
        ))}
      </tr>
    </thead>
  );
}
