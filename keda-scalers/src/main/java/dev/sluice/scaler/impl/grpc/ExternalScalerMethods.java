package dev.sluice.scaler.impl.grpc;

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

    public static final ServiceMethod<ScaledObjectRef, IsActiveResponse> IS_ACTIVE = ServiceMethod.server(
            SERVICE,
            "IsActive",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(ScaledObjectRef.newBuilder()));
    public static final ServiceMethod<ScaledObjectRef, IsActiveResponse> STREAM_IS_ACTIVE = ServiceMethod.server(
            SERVICE,
            "StreamIsActive",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(ScaledObjectRef.newBuilder()));
    public static final ServiceMethod<ScaledObjectRef, GetMetricSpecResponse> GET_METRIC_SPEC = ServiceMethod.server(
            SERVICE,
            "GetMetricSpec",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(ScaledObjectRef.newBuilder()));
    public static final ServiceMethod<GetMetricsRequest, GetMetricsResponse> GET_METRICS = ServiceMethod.server(
            SERVICE,
            "GetMetrics",
            GrpcMessageEncoder.encoder(),
            GrpcMessageDecoder.decoder(GetMetricsRequest.newBuilder()));

    /** Client-side descriptors (request encoder, response decoder). */
    public static final class Client {

        public static final ServiceMethod<IsActiveResponse, ScaledObjectRef> IS_ACTIVE = ServiceMethod.client(
                SERVICE,
                "IsActive",
                GrpcMessageEncoder.encoder(),
                GrpcMessageDecoder.decoder(IsActiveResponse.newBuilder()));
        public static final ServiceMethod<IsActiveResponse, ScaledObjectRef> STREAM_IS_ACTIVE = ServiceMethod.client(
                SERVICE,
                "StreamIsActive",
                GrpcMessageEncoder.encoder(),
                GrpcMessageDecoder.decoder(IsActiveResponse.newBuilder()));
        public static final ServiceMethod<GetMetricSpecResponse, ScaledObjectRef> GET_METRIC_SPEC =
                ServiceMethod.client(
                        SERVICE,
                        "GetMetricSpec",
                        GrpcMessageEncoder.encoder(),
                        GrpcMessageDecoder.decoder(GetMetricSpecResponse.newBuilder()));
        public static final ServiceMethod<GetMetricsResponse, GetMetricsRequest> GET_METRICS = ServiceMethod.client(
                SERVICE,
                "GetMetrics",
                GrpcMessageEncoder.encoder(),
                GrpcMessageDecoder.decoder(GetMetricsResponse.newBuilder()));

        private Client() {}
    }

    private ExternalScalerMethods() {}
}
