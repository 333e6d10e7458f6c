/// The admin API's OpenAPI 3.1 document (`Sources/HotlineApp/openapi.yaml`, compiled in).
public enum OpenAPIDocument {
    public static let yaml = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
}
