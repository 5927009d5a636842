import Foundation
import Shared

extension KubeCRDSchema {
    /// The environment variable naming the `crds/` directory, for runs outside the checkout.
    public static let directoryEnvironmentVariable = "KUBE_TEST_CRDS_DIR"

    /// The schema of `kind` from this repository's `crds/` (loaded once per process; see
    /// `shippedDirectory()` for where it is looked for). A failure says what was tried.
    public static func shipped(_ kind: MappingKind) -> Result<KubeCRDSchema, KubeCRDSchemaError> {
        shippedSchemas.flatMap { schemas in
            guard let schema = schemas.first(where: { $0.kind == kind.rawValue }) else {
                return .failure(KubeCRDSchemaError("no CustomResourceDefinition for \(kind.rawValue) in the crds/ directory"))
            }
            return .success(schema)
        }
    }

    /// Every CustomResourceDefinition in the `*.yaml` files of `directory` (other
    /// documents, like a kustomization, are skipped; subdirectories are not read).
    public static func load(directory: URL) throws(KubeCRDSchemaError) -> [KubeCRDSchema] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        } catch {
            throw KubeCRDSchemaError("cannot list \(directory.path): \(error.localizedDescription)")
        }
        var schemas: [KubeCRDSchema] = []
        for name in names.sorted() where name.hasSuffix(".yaml") || name.hasSuffix(".yml") {
            let file = directory.appendingPathComponent(name)
            let text: String
            do {
                text = try String(contentsOf: file, encoding: .utf8)
            } catch {
                throw KubeCRDSchemaError("cannot read \(file.path): \(error.localizedDescription)")
            }
            let documents: [(value: JSONValue, line: Int)]
            do {
                documents = try JSONValue.parseYAMLDocuments(text)
            } catch {
                throw KubeCRDSchemaError("\(file.path): \(error)")
            }
            for document in documents where document.value["kind"]?.stringValue == "CustomResourceDefinition" {
                schemas.append(try KubeCRDSchema(crd: document.value, origin: "\(file.path):\(document.line)"))
            }
        }
        return schemas
    }

    /// The repository's `crds/` directory: `$KUBE_TEST_CRDS_DIR` if set, else the first
    /// `crds/` holding sysdigmetricmappings.yaml in a parent of this source file (tests,
    /// the bench driver built from the checkout) or of the working directory.
    public static func shippedDirectory() -> Result<URL, KubeCRDSchemaError> {
        if let configured = ProcessInfo.processInfo.environment[directoryEnvironmentVariable], !configured.isEmpty {
            return .success(URL(fileURLWithPath: configured))
        }
        let starts = [
            URL(fileURLWithPath: sourceFile).deletingLastPathComponent(),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
        ]
        for start in starts {
            var folder = start.standardized
            while true {
                let candidate = folder.appendingPathComponent("crds")
                if FileManager.default.fileExists(atPath: candidate.appendingPathComponent("sysdigmetricmappings.yaml").path) {
                    return .success(candidate)
                }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return .failure(
            KubeCRDSchemaError(
                "cannot find crds/sysdigmetricmappings.yaml above \(starts.map(\.path).joined(separator: " or ")); "
                    + "run from the repository checkout, set \(directoryEnvironmentVariable) to the crds directory, "
                    + "or serve KubeTestResource.withoutSchemas"))
    }

    private static let sourceFile = #filePath

    private static let shippedSchemas: Result<[KubeCRDSchema], KubeCRDSchemaError> = shippedDirectory().flatMap {
        directory in
        Result { () throws(KubeCRDSchemaError) in try load(directory: directory) }
    }
}
