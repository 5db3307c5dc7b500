import type { ExceptionValue, Mechanism } from '../types';
import { trimObjectBag } from './databag';
import type { Report } from './report';
import { invalid, setOwn } from './report';
import { normalizeStacktrace } from './stacktrace';
import { LIMITS, trimString } from './trim';
import { finiteNumber, isAbsent, isRecord, jsonLenientString, lenientBoolean, lenientString } from './values';

function normalizeMechanism(value: unknown, path: string, report: Report): Mechanism | undefined {
  if (isAbsent(value)) return undefined;
  if (!isRecord(value)) {
    invalid(report, path, value);
    return undefined;
  }
  // `data` and unknown fields are free-form: they are kept as trimmed to the mechanism's bag size.
  const trimmed = trimObjectBag(value, LIMITS.bags.mechanism, path.split('.'), report);
  const mechanism: Mechanism = {};
  for (const [key, field] of Object.entries(value)) {
    if (isAbsent(field)) continue;
    const fieldPath = `${path}.${key}`;
    switch (key) {
      case 'type':
      case 'source': {
        const text = lenientString(field);
        if (text === undefined) invalid(report, fieldPath, field);
        else mechanism[key] = text;
        break;
      }
      case 'handled':
      case 'synthetic': {
        const flag = lenientBoolean(field);
        if (flag === undefined) invalid(report, fieldPath, field);
        else mechanism[key] = flag;
        break;
      }
      case 'exception_id':
      case 'parent_id': {
        const id = finiteNumber(field);
        if (id === undefined || !Number.isInteger(id)) invalid(report, fieldPath, field);
        else mechanism[key] = id;
        break;
      }
      case 'data':
        if (!isRecord(field)) invalid(report, fieldPath, field);
        else if (isRecord(trimmed.data)) mechanism.data = trimmed.data;
        break;
      default:
        if (Object.hasOwn(trimmed, key)) setOwn(mechanism, key, trimmed[key]);
    }
  }
  return mechanism;
}

function normalizeException(value: Record<string, unknown>, path: string, report: Report): ExceptionValue {
  const exception: ExceptionValue = {};
  if (!isAbsent(value.type)) {
    const type = lenientString(value.type)?.trim();
    if (type === undefined) invalid(report, `${path}.type`, value.type);
    else if (type) exception.type = type;
  }
  if (!isAbsent(value.value)) {
    // Some SDKs send an object as the value; its JSON text is still the best message we have.
    const text = jsonLenientString(value.value);
    if (text === undefined) invalid(report, `${path}.value`, value.value);
    else exception.value = trimString(text, LIMITS.exceptionValue, `${path}.value`, report);
  }
  if (!isAbsent(value.module)) {
    const module = lenientString(value.module);
    if (module === undefined) invalid(report, `${path}.module`, value.module);
    else exception.module = module;
  }
  const mechanism = normalizeMechanism(value.mechanism, `${path}.mechanism`, report);
  if (mechanism) exception.mechanism = mechanism;
  const stacktrace = normalizeStacktrace(value.stacktrace, `${path}.stacktrace`, report);
  if (stacktrace) exception.stacktrace = stacktrace;
  return exception;
}

/**
 * `{values}` or a bare list → `{values}`, oldest first (the thrown exception is last), as sent.
 * Entries that are not objects, or carry neither type, value nor stack trace, are dropped.
 */
export function normalizeExceptions(
  value: unknown,
  report: Report,
): { values: ExceptionValue[] } | undefined {
  if (isAbsent(value)) return undefined;
  const list = Array.isArray(value) ? value : isRecord(value) ? value.values : undefined;
  if (!Array.isArray(list)) {
    if (!(isRecord(value) && isAbsent(value.values))) invalid(report, 'exception', value);
    return undefined;
  }
  const values: ExceptionValue[] = [];
  list.forEach((raw: unknown) => {
    // Paths index the output list, so `_meta` lines up with the stored event.
    const path = `exception.values.${values.length}`;
    if (isAbsent(raw)) return;
    if (!isRecord(raw)) {
      invalid(report, path, raw);
      return;
    }
    const exception = normalizeException(raw, path, report);
    if (exception.type === undefined && exception.value === undefined && !exception.stacktrace) {
      invalid(report, path, raw);
      return;
    }
    values.push(exception);
  });
  return values.length > 0 ? { values } : undefined;
}
