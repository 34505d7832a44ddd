package dev.sluice.scaler.impl.grpc;

import com.google.protobuf.MessageLite;
import com.google.protobuf.MessageOrBuilder;
import dev.sluice.scaler.impl.grpc.proto.GetMetricSpecResponse;
import dev.sluice.scaler.impl.grpc.proto.GetMetricsRequest;
import dev.sluice.scaler.impl.grpc.proto.GetMetricsResponse;
import dev.sluice.scaler.impl.grpc.proto.IsActiveResponse;
import dev.sluice.scaler.impl.grpc.proto.ScaledObjectRef;
import io.vertx.grpc.common.GrpcMessageDecoder;
import io.vertx.grpc.common.GrpcMessageEncoder;
import io.vertx.grpc.common.ServiceMethod;
import io.vertx.grpc.common.ServiceName;

/**
 * KEDA's {@code externalscaler.ExternalScaler} service, method by method, for the server and for a
 * client (the tests'). Written by hand over protoc's message classes: four descriptors do not need a
 * stub generator.
 */
public final class ExternalScalerMethods {

    public static final ServiceName SERVICE = ServiceName.create("externalscaler", "ExternalScaler");

    public static final ServiceMethod<ScaledObjectRef, IsActiveResponse> IS_ACTIVE =
            server("IsActive", ScaledObjectRef.newBuilder());
    public static final ServiceMethod<ScaledObjectRef, IsActiveResponse> STREAM_IS_ACTIVE =
            server("StreamIsActive", ScaledObjectRef.newBuilder());
    public static final ServiceMethod<ScaledObjectRef, GetMetricSpecResponse> GET_METRIC_SPEC =
            server("GetMetricSpec", ScaledObjectRef.newBuilder());
    public static final ServiceMethod<GetMetricsRequest, GetMetricsResponse> GET_METRICS =
            server("GetMetrics", GetMetricsRequest.newBuilder());

    /** Client-side descriptors (request encoder, response decoder). */
    public static final class Client {

        public static final ServiceMethod<IsActiveResponse, ScaledObjectRef> IS_ACTIVE =
                client("IsActive", IsActiveResponse.newBuilder());
        public static final ServiceMethod<IsActiveResponse, ScaledObjectRef> STREAM_IS_ACTIVE =
                client("StreamIsActive", IsActiveResponse.newBuilder());
        public static final ServiceMethod<GetMetricSpecResponse, ScaledObjectRef> GET_METRIC_SPEC =
                client("GetMetricSpec", GetMetricSpecResponse.newBuilder());
        public static final ServiceMethod<GetMetricsResponse, GetMetricsRequest> GET_METRICS =
                client("GetMetrics", GetMetricsResponse.newBuilder());

        private Client() {}
    }

    private ExternalScalerMethods() {}

    /** A method as the server sees it: the request decoded from {@code request}'s type, the response encoded. */
    private static <Req, Resp extends MessageLite> ServiceMethod<Req, Resp> server(
            String name, MessageOrBuilder request) {
        return ServiceMethod.server(SERVICE, name, GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(request));
    }

    /** A method as a client sees it: the request encoded, the response decoded from {@code response}'s type. */
    private static <Req extends MessageLite, Resp> ServiceMethod<Resp, Req> client(
            String name, MessageOrBuilder response) {
        return ServiceMethod.client(SERVICE, name, GrpcMessageEncoder.encoder(), GrpcMessageDecoder.decoder(response));
    }
}
