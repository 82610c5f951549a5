package io.sluice.rpc.internal.provider;

import io.sluice.remoting.protocol.RpcRequest;

import java.util.List;
import java.util.Map;

/**
 * The checks of an RpcRequest's fields before the provider looks anything up, each bad value named in the answer
 * (INVALID_REQUEST). Absent version and group mean "" (the defaults); absent parameter types mean none (or the
 * only method of that name); an absent deadline (0) means none. Stateless.
 */
final class RequestCheck {
    /** Longest service, method, version, group or parameter type name: a class name is far shorter. */
    static final int MAX_NAME_CHARS = 1024;
    /** The JVM's limit on a method's parameters. */
    static final int MAX_PARAMETERS = 255;

    private RequestCheck() {
    }

    /** What is wrong with {@code request} ("RPC request ..." follows), or null if nothing. */
    static String problem(RpcRequest request) {
        if (request.service == null || request.service.isBlank()) {
            return "names no service (RpcRequest.service is empty)";
        }
        String tooLong = tooLong("service", request.service);
        if (tooLong == null) {
            tooLong = tooLong("version", request.version);
        }
        if (tooLong == null) {
            tooLong = tooLong("group", request.group);
        }
        if (tooLong == null) {
            tooLong = tooLong("method", request.method);
        }
        if (tooLong != null) {
            return tooLong;
        }
        if (request.method == null || request.method.isBlank()) {
            return "to " + request.service + " names no method (RpcRequest.method is empty)";
        }
        String types = parameterTypesProblem(request.method, request.parameterTypes);
        if (types != null) {
            return types;
        }
        if (request.timeoutMs < 0) {
            return request.service + "#" + request.method + " has a negative deadline (RpcRequest.timeoutMs = "
                    + request.timeoutMs + "): send the milliseconds left, or 0 for none";
        }
        return attachmentsProblem(request.attachments);
    }

    private static String parameterTypesProblem(String method, List<String> types) {
        if (types == null) {
            return null;
        }
        if (types.size() > MAX_PARAMETERS) {
            return "for " + method + " names " + types.size() + " parameter types (RpcRequest.parameterTypes); "
                    + "a method has at most " + MAX_PARAMETERS;
        }
        for (int i = 0; i < types.size(); i++) {
            String type = types.get(i);
            if (type == null || type.isBlank()) {
                return "for " + method + " has an empty parameter type #" + (i + 1)
                        + " (RpcRequest.parameterTypes)";
            }
            String tooLong = tooLong("parameter type #" + (i + 1), type);
            if (tooLong != null) {
                return tooLong;
            }
        }
        return null;
    }

    private static String attachmentsProblem(Map<String, String> attachments) {
        if (attachments == null) {
            return null;
        }
        String generic = attachments.get(ProviderCall.GENERIC);
        if (generic != null && !generic.equals("true") && !generic.equals("false")) {
            return "has attachment " + ProviderCall.GENERIC + "='" + shorten(generic)
                    + "' (RpcRequest.attachments): must be true or false";
        }
        return null;
    }

    private static String tooLong(String field, String value) {
        if (value == null || value.length() <= MAX_NAME_CHARS) {
            return null;
        }
        return "has a " + field + " name of " + value.length() + " characters ('" + shorten(value) + "'): at most "
                + MAX_NAME_CHARS;
    }

    private static String shorten(String value) {
        return value.length() <= 64 ? value : value.substring(0, 64) + "...";
    }
}
