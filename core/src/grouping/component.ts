/**
 * A grouping component tree, modelled on Sentry's: every node says whether it contributes to the
 * hash and, when it doesn't, why (`hint`). Only contributing leaves are hashed, so the tree doubles
 * as an explanation of why two events did or did not group together.
 */
export interface GroupingComponent {
  id: string;
  /** Leaf strings or child components, in hashing order. */
  values: Array<string | GroupingComponent>;
  contributes: boolean;
  hint?: string;
}

/** A leaf holding at most one value; without a value it can never contribute. */
export function leaf(id: string, value: string | undefined): GroupingComponent {
  return value ? { id, values: [value], contributes: true } : { id, values: [], contributes: false };
}

/** A parent that contributes exactly when one of its children does. */
export function node(id: string, children: GroupingComponent[]): GroupingComponent {
  return { id, values: children, contributes: children.some((child) => child.contributes) };
}

/** A deep copy, so one variant's `ignore()` can't mark the other variant's tree. */
export function cloneComponent(component: GroupingComponent): GroupingComponent {
  const copy: GroupingComponent = {
    id: component.id,
    values: component.values.map((value) => (typeof value === 'string' ? value : cloneComponent(value))),
    contributes: component.contributes,
  };
  if (component.hint !== undefined) copy.hint = component.hint;
  return copy;
}

/** Marks a component as ignored (keeping the first reason given). */
export function ignore(component: GroupingComponent, hint: string): GroupingComponent {
  if (component.contributes) {
    component.contributes = false;
    component.hint ??= hint;
  }
  return component;
}

/** Re-evaluates a parent after some of its children were ignored. */
export function refresh(component: GroupingComponent): GroupingComponent {
  component.contributes = component.values.some((value) =>
    typeof value === 'string' ? true : value.contributes,
  );
  return component;
}

/** Whether any descendant (or the component itself) with this id contributes. */
export function hasContributing(component: GroupingComponent, id: string): boolean {
  if (!component.contributes) return false;
  if (component.id === id) return true;
  return component.values.some((value) => typeof value !== 'string' && hasContributing(value, id));
}

/** Contributing leaves in depth-first order, each as `[component id, value]`. */
export function contributingLeaves(component: GroupingComponent): Array<[string, string]> {
  if (!component.contributes) return [];
  const leaves: Array<[string, string]> = [];
  for (const value of component.values) {
    if (typeof value === 'string') leaves.push([component.id, value]);
    else leaves.push(...contributingLeaves(value));
  }
  return leaves;
}
