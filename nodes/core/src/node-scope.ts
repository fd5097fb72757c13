// The catch and status nodes both listen to other nodes of the flow, chosen by id: the same field.

/** A config of one field, `scope`: the ids of the nodes listened to, none meaning every node. */
export function nodeScopeSchema(description: string, label: string) {
  return {
    type: 'object',
    properties: {
      scope: {
        type: 'array',
        description,
        default: [],
        items: { type: 'string', minLength: 1 },
        uniqueItems: true,
        'x-ui': { label, widget: 'node-picker' },
      },
    },
    additionalProperties: false,
  } as const;
}

/** What the engine is told the node listens to. */
export function listenedNodes(config: { scope: readonly string[] }): string[] | 'all' {
  return config.scope.length > 0 ? [...config.scope] : 'all';
}
